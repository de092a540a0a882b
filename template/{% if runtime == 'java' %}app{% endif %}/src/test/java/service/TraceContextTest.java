package service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class TraceContextTest {
    private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String PARENT_ID = "00f067aa0ba902b7";
    private static final Pattern TRACE_ID_FORMAT = Pattern.compile("[0-9a-f]{32}");
    private static final Pattern SPAN_ID_FORMAT = Pattern.compile("[0-9a-f]{16}");

    /** Ignored: the request starts a new trace. */
    private static final List<String> INVALID = List.of(
            "",
            "garbage",
            "00-" + TRACE_ID + "-" + PARENT_ID, // no flags
            "00-" + TRACE_ID + "-" + PARENT_ID + "-1",
            "00-" + TRACE_ID + "-" + PARENT_ID + "-010",
            "00-" + TRACE_ID + "-" + PARENT_ID + "-01-extra", // version 00 has exactly 4 fields
            "00-4BF92F3577B34DA6A3CE929D0E0E4736-" + PARENT_ID + "-01", // uppercase
            "00-" + TRACE_ID + "-00F067AA0BA902B7-01",
            "00-" + TRACE_ID + "-" + PARENT_ID + "-0A",
            "0A-" + TRACE_ID + "-" + PARENT_ID + "-01",
            "00-00000000000000000000000000000000-" + PARENT_ID + "-01", // all zeros
            "00-" + TRACE_ID + "-0000000000000000-01",
            "00-" + TRACE_ID.substring(1) + "-" + PARENT_ID + "-01",
            "00-" + TRACE_ID + "0-" + PARENT_ID.substring(1) + "-01", // misplaced dash
            "00-" + TRACE_ID + "-" + PARENT_ID.substring(1) + "g-01", // not hex
            "00_" + TRACE_ID + "_" + PARENT_ID + "_01",
            "ff-" + TRACE_ID + "-" + PARENT_ID + "-01", // version ff is invalid
            "01-" + TRACE_ID + "-" + PARENT_ID + "-01.more"); // later versions separate with "-" too

    @Test
    void parsesValidHeaders() {
        Map<String, Boolean> valid = Map.of(
                "00-" + TRACE_ID + "-" + PARENT_ID + "-01", true,
                "00-" + TRACE_ID + "-" + PARENT_ID + "-00", false,
                "00-" + TRACE_ID + "-" + PARENT_ID + "-09", true, // flags unknown today are ignored
                // A later version: the fields of version 00 are read, what follows is ignored.
                "01-" + TRACE_ID + "-" + PARENT_ID + "-01", true,
                "cc-" + TRACE_ID + "-" + PARENT_ID + "-00-more-data", false);
        valid.forEach((header, sampled) -> {
            TraceContext parsed = TraceContext.parse(header);
            assertNotNull(parsed, header);
            assertEquals(new TraceContext(TRACE_ID, PARENT_ID, sampled, ""), parsed, header);
        });
    }

    @Test
    void rejectsInvalidHeaders() {
        for (String header : INVALID) {
            assertNull(TraceContext.parse(header), header);
        }
    }

    @Test
    void continuesAValidTraceWithANewSpan() {
        TraceContext trace = TraceContext.start(
                List.of("00-" + TRACE_ID + "-" + PARENT_ID + "-01"), List.of("vendor=a", "other=b"));
        assertEquals(TRACE_ID, trace.traceId());
        assertTrue(SPAN_ID_FORMAT.matcher(trace.spanId()).matches(), trace.spanId());
        assertNotEquals(PARENT_ID, trace.spanId());
        assertEquals("00-" + TRACE_ID + "-" + trace.spanId() + "-01", trace.traceparent());
        assertEquals(Map.of("traceparent", trace.traceparent(), "tracestate", "vendor=a,other=b"), trace.headers());
    }

    @Test
    void startsANewTraceWithoutASingleValidHeader() {
        Set<String> seen = new HashSet<>();
        for (String header : INVALID) {
            assertNewTrace(TraceContext.start(List.of(header), List.of("vendor=a")), seen);
        }
        assertNewTrace(TraceContext.start(null, null), seen);
        String valid = "00-" + TRACE_ID + "-" + PARENT_ID + "-01";
        assertNewTrace(TraceContext.start(List.of(valid, valid), null), seen);
    }

    private static void assertNewTrace(TraceContext trace, Set<String> seen) {
        assertTrue(TRACE_ID_FORMAT.matcher(trace.traceId()).matches(), trace.traceId());
        assertTrue(SPAN_ID_FORMAT.matcher(trace.spanId()).matches(), trace.spanId());
        assertFalse(trace.traceId().matches("0+") || trace.spanId().matches("0+"), trace.toString());
        assertTrue(seen.add(trace.traceId()), "trace id twice: " + trace.traceId());
        assertEquals(Map.of("traceparent", "00-" + trace.traceId() + "-" + trace.spanId() + "-01"), trace.headers());
    }

    @Test
    void requestLogLinesCarryTheTrace() throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        PrintStream previous = Log.output(new PrintStream(buffer, true, StandardCharsets.UTF_8));
        Server server = Server.start(new Server.Config("127.0.0.1", 0, 0, 1), new App());
        try {
            URI uri = URI.create("http://127.0.0.1:" + server.port() + "/");
            List<String> headers = new ArrayList<>(INVALID.subList(1, INVALID.size()));
            headers.add(0, null); // no header
            headers.add("00-" + TRACE_ID + "-" + PARENT_ID + "-01");
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < headers.size(); i++) {
                HttpRequest.Builder request = HttpRequest.newBuilder(uri);
                if (headers.get(i) != null) {
                    request.header("traceparent", headers.get(i));
                }
                assertEquals(200, client.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode());
                Map<String, Object> line = requestLine(buffer, i + 1);
                String traceId = (String) line.get("trace_id");
                String spanId = (String) line.get("span_id");
                assertTrue(SPAN_ID_FORMAT.matcher(spanId).matches() && !spanId.equals(PARENT_ID), line.toString());
                if (i == headers.size() - 1) {
                    assertEquals(TRACE_ID, traceId, "the caller's trace goes on");
                } else {
                    assertTrue(TRACE_ID_FORMAT.matcher(traceId).matches() && seen.add(traceId), headers.get(i));
                    assertNotEquals(TRACE_ID, traceId, headers.get(i));
                }
            }
        } finally {
            server.close();
            Log.output(previous);
        }
    }

    /** The n-th request log line; it is written just after the response is sent. */
    private static Map<String, Object> requestLine(ByteArrayOutputStream buffer, int n) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (true) {
            List<Map<String, Object>> lines = buffer.toString(StandardCharsets.UTF_8).lines()
                    .map(JsonParser::parseObject)
                    .filter(line -> "request".equals(line.get("message")))
                    .toList();
            if (lines.size() >= n) {
                return lines.get(n - 1);
            }
            assertTrue(System.nanoTime() < deadline, "no request line " + n);
            Thread.sleep(10);
        }
    }
}
