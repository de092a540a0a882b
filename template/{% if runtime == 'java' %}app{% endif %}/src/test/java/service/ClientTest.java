package service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ClientTest {
    private App app;
    private Server server;
    private String url;

    @BeforeEach
    void start() throws IOException {
        app = new App();
        server = Server.start(new Server.Config("127.0.0.1", 0, 0, 1), app);
        url = "http://127.0.0.1:" + server.port();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    /** A port that nothing listens on. */
    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Test
    void probeSucceedsOn200Only() throws IOException {
        assertTrue(Client.probe(url + "/healthz"));
        assertFalse(Client.probe(url + "/no/such/page"));
        app.setDraining(true);
        assertFalse(Client.probe(url + "/readyz"));
        assertFalse(Client.probe("http://127.0.0.1:" + closedPort() + "/healthz"));
        assertFalse(Client.probe("not a url"));
    }

    @Test
    void trafficCountsAnswersAndFailures() throws Exception {
        assertEquals(new Client.Result(6, 0), Client.traffic(url + "/", 0.3, 20));
        assertEquals(new Client.Result(0, 3), Client.traffic("http://127.0.0.1:" + closedPort() + "/", 0.3, 10));
    }

    @Test
    void entryPointExitStatus() throws Exception {
        assertEquals(0, Main.run(new String[] {"probe", url + "/healthz"}));
        assertEquals(1, Main.run(new String[] {"probe", url + "/no/such/page"}));
        assertEquals(0, Main.run(new String[] {"traffic", url + "/", "0.2", "10"}));
        assertEquals(2, Main.run(new String[] {"traffic", url + "/", "soon", "10"}));
        assertEquals(2, Main.run(new String[] {"fetch"}));
    }
}
