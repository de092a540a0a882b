package service;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The span context of one request, following W3C Trace Context: the trace continues the
 * caller's `traceparent` header when it is valid, else a new trace starts, and each request
 * gets a new span id. The request log line carries both ids; while a request is handled,
 * {@link #current()} returns its context, for the headers of outbound calls:
 *
 * <pre>
 *   TraceContext.current().headers().forEach(requestBuilder::header);
 * </pre>
 *
 * <p>The context is kept per worker thread, not in the exchange's attributes: before Java 26
 * those are shared by all the exchanges of a server context. Code that hands work to another
 * thread passes the context along itself.
 *
 * <p>No spans are recorded or exported. To export them, attach the OpenTelemetry Java agent
 * (JAVA_TOOL_OPTIONS=-javaagent:/path/to/opentelemetry-javaagent.jar), which reads the OTEL_*
 * variables (OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_TRACES_SAMPLER...) and propagates the context
 * through the HTTP clients it instruments on its own. Its spans have ids of their own.
 *
 * @param traceId 32 lowercase hex digits
 * @param spanId 16 lowercase hex digits: the span of this request, or the caller's when parsed
 * @param sampled bit 0 of the trace flags
 * @param traceState the caller's tracestate header, passed on unchanged; empty if none
 */
record TraceContext(String traceId, String spanId, boolean sampled, String traceState) {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final HexFormat HEX = HexFormat.of();

    /** Set by App for the duration of each request. */
    static final ThreadLocal<TraceContext> CURRENT = new ThreadLocal<>();

    /** The context of the request this thread handles, or null outside a request. */
    static TraceContext current() {
        return CURRENT.get();
    }

    /**
     * The context of a request with these header values (null when absent): a new span in the
     * caller's trace, or in a new trace when there is no single valid traceparent.
     */
    static TraceContext start(List<String> traceparent, List<String> tracestate) {
        TraceContext parent = traceparent != null && traceparent.size() == 1 ? parse(traceparent.get(0)) : null;
        if (parent == null) {
            // A new trace is sampled, as the SDK's default sampler (parentbased_always_on) decides.
            return new TraceContext(newId(16), newId(8), true, "");
        }
        String state = tracestate == null ? "" : String.join(",", tracestate);
        return new TraceContext(parent.traceId(), newId(8), parent.sampled(), state);
    }

    /**
     * Reads a traceparent header, or returns null if it is invalid; spanId is then the caller's
     * span. A version above 00 is read as far as version 00 defines it, as the specification asks.
     */
    static TraceContext parse(String header) {
        String value = header.strip();
        // version "-" trace-id "-" parent-id "-" flags: 2+1+32+1+16+1+2 characters
        int size = 55;
        if (value.length() < size) {
            return null;
        }
        String version = value.substring(0, 2);
        if (!isHex(version) || version.equals("ff")
                || value.charAt(2) != '-' || value.charAt(35) != '-' || value.charAt(52) != '-') {
            return null;
        }
        if (value.length() > size && (version.equals("00") || value.charAt(size) != '-')) {
            return null;
        }
        String traceId = value.substring(3, 35);
        String parentId = value.substring(36, 52);
        String flags = value.substring(53, 55);
        if (!isHex(traceId) || !isHex(parentId) || !isHex(flags) || isZero(traceId) || isZero(parentId)) {
            return null;
        }
        boolean sampled = (HexFormat.fromHexDigits(flags) & 1) == 1;
        return new TraceContext(traceId, parentId, sampled, "");
    }

    /** The header value that makes this span the parent of an outbound call. */
    String traceparent() {
        return "00-" + traceId + "-" + spanId + (sampled ? "-01" : "-00");
    }

    /** The headers of an outbound call made while handling this request. */
    Map<String, String> headers() {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("traceparent", traceparent());
        if (!traceState.isEmpty()) {
            headers.put("tracestate", traceState);
        }
        return headers;
    }

    /** Random bytes, not all zero, in lowercase hex. */
    private static String newId(int bytes) {
        byte[] id = new byte[bytes];
        String text;
        do {
            RANDOM.nextBytes(id);
            text = HEX.formatHex(id);
        } while (isZero(text));
        return text;
    }

    private static boolean isHex(String text) {
        return text.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
    }

    private static boolean isZero(String text) {
        return text.chars().allMatch(c -> c == '0');
    }
}
