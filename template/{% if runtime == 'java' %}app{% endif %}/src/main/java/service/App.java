package service;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.stream.DoubleStream;

/** The routes of the service, and the metrics and log line of every request. */
final class App implements HttpHandler {
    /** Label values stay bounded: unknown methods and paths are folded into one value each. */
    static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");

    static final String UNMATCHED = "unmatched";

    /** Probes and scrapes are logged at debug level only; they are counted like any request. */
    private static final Set<String> QUIET_ROUTES = Set.of("/healthz", "/readyz", "/metrics");

    record Response(int status, String contentType, byte[] body) {}

    private interface Endpoint {
        Response get();
    }

    private final Metrics metrics = new Metrics();
    private final Metrics.Counter requests = metrics.counter(
            "http_requests_total",
            "HTTP requests handled, by method, route template and status code.",
            "method", "route", "status");
    private final Metrics.Histogram duration = metrics.histogram(
            "http_request_duration_seconds",
            "Time to handle an HTTP request, by method and route template.",
            DoubleStream.concat(DoubleStream.of(Metrics.DEFAULT_BUCKETS), DoubleStream.of(Settings.SLO_LATENCY_SECONDS))
                    .toArray(),
            "method", "route");

    // Every route is a fixed path, so the path is also the route template.
    private final Map<String, Endpoint> routes = Map.of(
            "/", () -> json(200, Json.object("service", Settings.NAME, "message", "hello")),
            // Liveness: the process serves HTTP. No dependency checks, so that a failing
            // dependency never makes Kubernetes restart every replica at once.
            "/healthz", () -> json(200, Json.object("status", "ok")),
            "/readyz", this::readyz,
            "/metrics", this::metrics);

    // Set by the server on SIGTERM: /readyz then fails so the pod leaves the Service's
    // endpoints while it still serves the requests already routed to it.
    private volatile boolean draining;

    static Response json(int status, Map<String, ?> body) {
        return new Response(status, "application/json", Json.write(body).getBytes(StandardCharsets.UTF_8));
    }

    boolean isDraining() {
        return draining;
    }

    void setDraining(boolean draining) {
        this.draining = draining;
    }

    private Response metrics() {
        return new Response(200, Metrics.CONTENT_TYPE, metrics.render().getBytes(StandardCharsets.UTF_8));
    }

    private Response readyz() {
        return draining ? json(503, Json.object("status", "draining")) : json(200, Json.object("status", "ready"));
    }

    @Override
    public void handle(HttpExchange exchange) {
        long start = System.nanoTime();
        TraceContext trace = TraceContext.start(
                exchange.getRequestHeaders().get("traceparent"), exchange.getRequestHeaders().get("tracestate"));
        String path = exchange.getRequestURI().getRawPath();
        Endpoint endpoint = routes.get(path);
        String route = endpoint == null ? UNMATCHED : path;
        String method = METHODS.contains(exchange.getRequestMethod()) ? exchange.getRequestMethod() : "other";
        int status = 500;
        boolean counted = false;
        TraceContext.CURRENT.set(trace);
        try {
            Response response = respond(exchange, endpoint);
            status = response.status();
            // Counted before the answer goes out: a client that reads /metrics next finds it there.
            count(method, route, status, start);
            counted = true;
            send(exchange, response);
        } catch (IOException e) {
            Log.debug("client closed the connection", Json.object("path", path, "error", e.toString()));
        } finally {
            TraceContext.CURRENT.remove();
            exchange.close();
            if (!counted) {
                count(method, route, status, start);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            boolean quiet = QUIET_ROUTES.contains(route) && status < 500;
            Log.log(quiet ? Log.Level.DEBUG : Log.Level.INFO, "request", Json.object(
                    "method", method,
                    "path", path,
                    "route", route,
                    "status", status,
                    "duration_ms", Math.round(seconds * 1e6) / 1e3,
                    "trace_id", trace.traceId(),
                    "span_id", trace.spanId()));
        }
    }

    private void count(String method, String route, int status, long start) {
        requests.inc(method, route, Integer.toString(status));
        duration.observe((System.nanoTime() - start) / 1e9, method, route);
    }

    private static Response respond(HttpExchange exchange, Endpoint endpoint) {
        if (endpoint == null) {
            return json(404, Json.object("error", "not found"));
        }
        String method = exchange.getRequestMethod();
        if (!method.equals("GET") && !method.equals("HEAD")) {
            exchange.getResponseHeaders().set("Allow", "GET, HEAD");
            return json(405, Json.object("error", "method not allowed"));
        }
        try {
            return endpoint.get();
        } catch (RuntimeException e) {
            StringWriter trace = new StringWriter();
            e.printStackTrace(new PrintWriter(trace));
            TraceContext span = TraceContext.current();
            Log.error("request failed", Json.object("path", exchange.getRequestURI().getRawPath(),
                    "exception", trace.toString(), "trace_id", span.traceId(), "span_id", span.spanId()));
            return json(500, Json.object("error", "internal error"));
        }
    }

    private static void send(HttpExchange exchange, Response response) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", response.contentType());
        byte[] body = response.body();
        // A length of -1 announces no body; 0 would mean a chunked body of unknown length.
        if (exchange.getRequestMethod().equals("HEAD") || body.length == 0) {
            exchange.sendResponseHeaders(response.status(), -1);
            return;
        }
        exchange.sendResponseHeaders(response.status(), body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }
}
