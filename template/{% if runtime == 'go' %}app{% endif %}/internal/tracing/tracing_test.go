package tracing

import (
	"context"
	"net/http"
	"regexp"
	"testing"
)

const (
	traceID  = "4bf92f3577b34da6a3ce929d0e0e4736"
	parentID = "00f067aa0ba902b7"
)

var (
	traceIDPattern = regexp.MustCompile(`^[0-9a-f]{32}$`)
	spanIDPattern  = regexp.MustCompile(`^[0-9a-f]{16}$`)
)

func TestParseValid(t *testing.T) {
	for header, sampled := range map[string]bool{
		"00-" + traceID + "-" + parentID + "-01": true,
		"00-" + traceID + "-" + parentID + "-00": false,
		"00-" + traceID + "-" + parentID + "-09": true, // flags unknown today are ignored
		// A later version: the fields of version 00 are read, what follows is ignored.
		"01-" + traceID + "-" + parentID + "-01":           true,
		"cc-" + traceID + "-" + parentID + "-00-more-data": false,
	} {
		sc, ok := Parse(header)
		if !ok || sc.TraceID != traceID || sc.SpanID != parentID || sc.Sampled != sampled {
			t.Errorf("Parse(%q) = %+v, %v", header, sc, ok)
		}
	}
}

func TestParseInvalid(t *testing.T) {
	for _, header := range invalidHeaders {
		if sc, ok := Parse(header); ok {
			t.Errorf("Parse(%q) = %+v, want invalid", header, sc)
		}
	}
}

// invalidHeaders are ignored: the request starts a new trace.
var invalidHeaders = []string{
	"",
	"garbage",
	"00-" + traceID + "-" + parentID,        // no flags
	"00-" + traceID + "-" + parentID + "-1", // short flags
	"00-" + traceID + "-" + parentID + "-01-extra",                      // version 00 has 4 fields
	"00-" + traceID + "-" + parentID + "-010",                           // long flags
	"00-" + "4BF92F3577B34DA6A3CE929D0E0E4736" + "-" + parentID + "-01", // uppercase
	"00-" + traceID + "-" + "00F067AA0BA902B7" + "-01",
	"00-" + traceID + "-" + parentID + "-0A",
	"0A-" + traceID + "-" + parentID + "-01",
	"00-" + "00000000000000000000000000000000" + "-" + parentID + "-01", // all zeros
	"00-" + traceID + "-" + "0000000000000000" + "-01",
	"00-" + traceID[:31] + "-" + parentID + "-01",  // short trace id
	"00-" + traceID + "0-" + parentID[1:] + "-01",  // misplaced dash
	"00-" + traceID + "-" + parentID[:15] + "g-01", // not hex
	"00_" + traceID + "_" + parentID + "_01",
	"ff-" + traceID + "-" + parentID + "-01",          // version ff is invalid
	"01-" + traceID + "-" + parentID + "-01.more",     // a later version still separates with "-"
	"00-" + traceID + "-" + parentID + "-01" + "\x00", // trailing byte
}

func TestStartContinuesAValidTrace(t *testing.T) {
	h := http.Header{}
	h.Set("traceparent", "00-"+traceID+"-"+parentID+"-01")
	h.Add("tracestate", "vendor=a")
	h.Add("tracestate", "other=b")
	sc := Start(h)
	if sc.TraceID != traceID || !sc.Sampled || sc.TraceState != "vendor=a,other=b" {
		t.Errorf("Start = %+v", sc)
	}
	if !spanIDPattern.MatchString(sc.SpanID) || sc.SpanID == parentID {
		t.Errorf("span id %q: want a new one", sc.SpanID)
	}
}

func TestStartANewTrace(t *testing.T) {
	seen := map[string]bool{}
	for _, header := range invalidHeaders {
		h := http.Header{}
		if header != "" {
			h.Set("traceparent", header)
			h.Set("tracestate", "vendor=a") // ignored without a valid traceparent
		}
		sc := Start(h)
		if !traceIDPattern.MatchString(sc.TraceID) || isZero(sc.TraceID) || sc.TraceID == traceID {
			t.Errorf("traceparent %q: trace id %q", header, sc.TraceID)
		}
		if !spanIDPattern.MatchString(sc.SpanID) || isZero(sc.SpanID) {
			t.Errorf("traceparent %q: span id %q", header, sc.SpanID)
		}
		if sc.TraceState != "" || !sc.Sampled {
			t.Errorf("traceparent %q: %+v", header, sc)
		}
		if seen[sc.TraceID] {
			t.Errorf("trace id %s twice", sc.TraceID)
		}
		seen[sc.TraceID] = true
	}
}

func TestTwoTraceparentHeadersStartANewTrace(t *testing.T) {
	h := http.Header{}
	h.Add("traceparent", "00-"+traceID+"-"+parentID+"-01")
	h.Add("traceparent", "00-"+traceID+"-"+parentID+"-01")
	if sc := Start(h); sc.TraceID == traceID {
		t.Errorf("Start = %+v", sc)
	}
}

func TestInject(t *testing.T) {
	h := http.Header{}
	Inject(context.Background(), h)
	if len(h) != 0 {
		t.Errorf("headers without a span context: %v", h)
	}

	sc := SpanContext{TraceID: traceID, SpanID: parentID, Sampled: true, TraceState: "vendor=a"}
	Inject(NewContext(context.Background(), sc), h)
	if got := h.Get("traceparent"); got != "00-"+traceID+"-"+parentID+"-01" {
		t.Errorf("traceparent %q", got)
	}
	if got := h.Get("tracestate"); got != "vendor=a" {
		t.Errorf("tracestate %q", got)
	}
	sc.Sampled = false
	if got := sc.Traceparent(); got != "00-"+traceID+"-"+parentID+"-00" {
		t.Errorf("Traceparent() = %q", got)
	}
}
