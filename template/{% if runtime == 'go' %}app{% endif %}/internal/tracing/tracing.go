// Package tracing gives every request a span context following W3C Trace Context: the trace
// continues the caller's `traceparent` header when it is valid, else a new trace starts, and
// each request gets a new span id. The request log line carries both ids, and handlers find
// them in the request's context, for the headers of their own outbound calls:
//
//	tracing.Inject(r.Context(), outbound.Header)
//
// No spans are recorded or exported. To export them, add go.opentelemetry.io/otel, its SDK and
// the otlptracehttp exporter, which read the OTEL_* variables (OTEL_EXPORTER_OTLP_ENDPOINT,
// OTEL_TRACES_SAMPLER...), and wrap the handler with otelhttp; its propagator then replaces
// this package.
package tracing

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"strings"
)

// SpanContext identifies the span of one request.
type SpanContext struct {
	TraceID string // 32 lowercase hex digits
	SpanID  string // 16 lowercase hex digits
	Sampled bool
	// The caller's tracestate header, passed on unchanged.
	TraceState string
}

// Start returns the span context of a request with headers h: a new span in the caller's
// trace, or in a new trace when h has no valid traceparent.
func Start(h http.Header) SpanContext {
	var sc SpanContext
	if values := h.Values("traceparent"); len(values) == 1 {
		var ok bool
		if sc, ok = Parse(values[0]); ok {
			sc.TraceState = strings.Join(h.Values("tracestate"), ",")
		}
	}
	if sc.TraceID == "" {
		// A new trace is sampled, as the SDK's default sampler (parentbased_always_on) decides.
		sc = SpanContext{TraceID: newID(16), Sampled: true}
	}
	sc.SpanID = newID(8)
	return sc
}

// Parse reads a traceparent header; SpanID is then the caller's span. A version above 00
// is read as far as version 00 defines it, as the specification asks.
func Parse(header string) (SpanContext, bool) {
	header = strings.TrimSpace(header)
	// version "-" trace-id "-" parent-id "-" flags: 2+1+32+1+16+1+2 characters
	const size = 55
	if len(header) < size || !isHex(header[:2]) || header[:2] == "ff" ||
		header[2] != '-' || header[35] != '-' || header[52] != '-' {
		return SpanContext{}, false
	}
	if len(header) > size && (header[:2] == "00" || header[size] != '-') {
		return SpanContext{}, false
	}
	traceID, parentID, flags := header[3:35], header[36:52], header[53:55]
	if !isHex(traceID) || !isHex(parentID) || !isHex(flags) || isZero(traceID) || isZero(parentID) {
		return SpanContext{}, false
	}
	sampled := strings.ContainsRune("13579bdf", rune(flags[1])) // bit 0 of the flags
	return SpanContext{TraceID: traceID, SpanID: parentID, Sampled: sampled}, true
}

// Traceparent is the header value that makes sc the parent of an outbound call.
func (sc SpanContext) Traceparent() string {
	flags := "00"
	if sc.Sampled {
		flags = "01"
	}
	return "00-" + sc.TraceID + "-" + sc.SpanID + "-" + flags
}

type contextKey struct{}

// NewContext returns ctx carrying sc.
func NewContext(ctx context.Context, sc SpanContext) context.Context {
	return context.WithValue(ctx, contextKey{}, sc)
}

// FromContext returns the span context in ctx, if any.
func FromContext(ctx context.Context) (SpanContext, bool) {
	sc, ok := ctx.Value(contextKey{}).(SpanContext)
	return sc, ok
}

// Inject sets the traceparent (and tracestate) headers of an outbound request made while
// handling the request of ctx. Without a span context in ctx it does nothing.
func Inject(ctx context.Context, h http.Header) {
	sc, ok := FromContext(ctx)
	if !ok {
		return
	}
	h.Set("traceparent", sc.Traceparent())
	if sc.TraceState != "" {
		h.Set("tracestate", sc.TraceState)
	}
}

// newID returns n random bytes, not all zero, in lowercase hex.
func newID(n int) string {
	id := make([]byte, n)
	for {
		_, _ = rand.Read(id) // never fails: it crashes the program if the system has no randomness
		if text := hex.EncodeToString(id); !isZero(text) {
			return text
		}
	}
}

func isHex(s string) bool {
	for _, c := range []byte(s) {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

func isZero(s string) bool {
	return strings.Trim(s, "0") == ""
}
