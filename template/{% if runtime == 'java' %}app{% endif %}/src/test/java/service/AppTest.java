package service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AppTest {
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private App app;
    private Server server;

    @BeforeEach
    void start() throws IOException {
        app = new App();
        server = Server.start(new Server.Config("127.0.0.1", 0, 0, 1), app);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpResponse<String> request(String method, String path) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .method(method, HttpRequest.BodyPublishers.noBody())
                .build();
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return request("GET", path);
    }

    private List<String> metricLines(String prefix) throws IOException, InterruptedException {
        return get("/metrics").body().lines().filter(line -> line.startsWith(prefix)).collect(Collectors.toList());
    }

    /** The value of one series of http_requests_total, 0 if it does not exist yet. */
    private double requestCount(String method, String route, String status) throws IOException, InterruptedException {
        String series = String.format("http_requests_total{method=\"%s\",route=\"%s\",status=\"%s\"} ",
                method, route, status);
        return metricLines(series).stream().mapToDouble(line -> Double.parseDouble(line.substring(series.length())))
                .sum();
    }

    @Test
    void hello() throws Exception {
        HttpResponse<String> response = get("/");
        assertEquals(200, response.statusCode());
        assertEquals("application/json", response.headers().firstValue("content-type").orElse(""));
        assertEquals(Map.of("service", Settings.NAME, "message", "hello"), JsonParser.parse(response.body()));
    }

    @Test
    void healthz() throws Exception {
        HttpResponse<String> response = get("/healthz");
        assertEquals(200, response.statusCode());
        assertEquals(Map.of("status", "ok"), JsonParser.parse(response.body()));
    }

    @Test
    void readyzFailsWhileDraining() throws Exception {
        assertEquals(200, get("/readyz").statusCode());
        app.setDraining(true);
        HttpResponse<String> response = get("/readyz");
        assertEquals(503, response.statusCode());
        assertEquals(Map.of("status", "draining"), JsonParser.parse(response.body()));
        assertEquals(200, get("/healthz").statusCode());
    }

    @Test
    void headAnswersWithoutBody() throws Exception {
        HttpResponse<String> response = request("HEAD", "/");
        assertEquals(200, response.statusCode());
        assertEquals("", response.body());
    }

    @Test
    void metricsCountRequestsByRouteTemplate() throws Exception {
        double before = requestCount("GET", "/", "200");
        get("/");
        assertEquals(before + 1, requestCount("GET", "/", "200"));

        before = requestCount("GET", App.UNMATCHED, "404");
        assertEquals(404, get("/no/such/page").statusCode());
        assertEquals(before + 1, requestCount("GET", App.UNMATCHED, "404"));
    }

    @Test
    void unknownMethodsAreFoldedIntoOther() throws Exception {
        HttpResponse<String> response = request("BREW", "/");
        assertEquals(405, response.statusCode());
        assertEquals(1, requestCount("other", "/", "405"));
    }

    @Test
    void metricsExposition() throws Exception {
        get("/");
        HttpResponse<String> response = get("/metrics");
        assertEquals(200, response.statusCode());
        assertTrue(response.headers().firstValue("content-type").orElse("").startsWith("text/plain"));
        String body = response.body();
        assertTrue(body.contains("# TYPE http_requests_total counter\n"), body);
        assertTrue(body.contains("# TYPE http_request_duration_seconds histogram\n"), body);
        assertTrue(body.lines().noneMatch(line -> line.contains("_created")), body);

        List<Double> bounds = metricLines("http_request_duration_seconds_bucket{method=\"GET\",route=\"/\",").stream()
                .map(line -> line.replaceAll(".*le=\"([^\"]+)\".*", "$1"))
                .map(le -> le.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le))
                .collect(Collectors.toList());
        assertTrue(bounds.contains(Settings.SLO_LATENCY_SECONDS), bounds.toString());
        assertTrue(bounds.contains(Double.POSITIVE_INFINITY), bounds.toString());
    }
}
