package service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServerTest {
    @Test
    void stopDrainsThenStops() throws Exception {
        App app = new App();
        Server server = Server.start(new Server.Config("127.0.0.1", 0, 0.5, 2), app);
        String url = "http://127.0.0.1:" + server.port();
        try {
            // Its own thread: the HTTP client may need the common pool that runAsync would block.
            Thread stopping = new Thread(() -> {
                try {
                    server.awaitStop();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            stopping.start();
            assertTrue(Client.probe(url + "/readyz"));

            assertTrue(server.requestStop("SIGTERM"));
            assertFalse(server.requestStop("SIGTERM"), "a second request is refused");
            // Draining: still serving, but no longer ready.
            assertTrue(app.isDraining());
            assertFalse(Client.probe(url + "/readyz"));
            assertTrue(Client.probe(url + "/healthz"));

            stopping.join(5000);
            assertFalse(stopping.isAlive(), "stopped within drain + grace");
            assertFalse(Client.probe(url + "/healthz"), "no longer accepting connections");
        } finally {
            server.close();
        }
    }

    /**
     * A load balancer that reuses a keep-alive connection the service has closed answers 502, and
     * Google's keeps idle connections for 600 s.
     */
    @Test
    void idleConnectionsOutliveTheLoadBalancers() throws Exception {
        Server server = Server.start(new Server.Config("127.0.0.1", 0, 0, 0), new App());
        server.close();
        long idleSeconds = Long.getLong(Server.IDLE_INTERVAL_PROPERTY, 30); // the JDK's default
        assertTrue(idleSeconds >= 600, "idle connections time out after " + idleSeconds + " s");
    }

    @Test
    void requestsInFlightAreAnsweredBeforeStopping() throws Exception {
        Server server = Server.start(new Server.Config("127.0.0.1", 0, 0, 5), new App());
        try (Socket client = new Socket("127.0.0.1", server.port())) {
            client.setSoTimeout(5000);
            OutputStream out = client.getOutputStream();
            // A request whose headers are still arriving when the stop begins.
            out.write("GET /healthz HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            Thread.sleep(200);
            Thread stopping = new Thread(() -> {
                try {
                    server.awaitStop();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            assertTrue(server.requestStop("SIGTERM"));
            stopping.start();
            Thread.sleep(500);
            assertTrue(stopping.isAlive(), "waits for the request in flight");

            out.write("Host: test\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String response = new String(client.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertTrue(response.startsWith("HTTP/1.1 200 "), response);
            assertTrue(response.endsWith("{\"status\":\"ok\"}"), response);
            stopping.join(5000);
            assertFalse(stopping.isAlive(), "stops once the request has been answered");
        } finally {
            server.close();
        }
    }

    @Test
    void configFromEnvironment() {
        Server.Config defaults = Server.Config.fromEnvironment(Map.of());
        assertEquals(new Server.Config("0.0.0.0", 8080, 5, 20), defaults);
        Server.Config set = Server.Config.fromEnvironment(
                Map.of("HOST", "127.0.0.1", "PORT", "9000", "DRAIN_SECONDS", "0.5", "GRACEFUL_SHUTDOWN_SECONDS", "3"));
        assertEquals(new Server.Config("127.0.0.1", 9000, 0.5, 3), set);
        assertThrows(IllegalArgumentException.class, () -> Server.Config.fromEnvironment(Map.of("PORT", "http")));
        assertThrows(IllegalArgumentException.class,
                () -> Server.Config.fromEnvironment(Map.of("DRAIN_SECONDS", "-1")));
    }
}
