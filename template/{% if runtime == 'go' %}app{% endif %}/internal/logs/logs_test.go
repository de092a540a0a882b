package logs

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"regexp"
	"strings"
	"testing"
)

func TestLinesAreJSON(t *testing.T) {
	var out bytes.Buffer
	log := New(&out, slog.LevelInfo, "orders", "staging")
	log.Info("request", "status", 200, "route", "/")
	log.Debug("not written below the level")
	log.Warn("slow")

	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("want 2 lines, got %q", out.String())
	}
	var entry map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &entry); err != nil {
		t.Fatalf("not JSON: %s: %v", lines[0], err)
	}
	want := map[string]any{
		"level": "info", "message": "request", "service": "orders", "environment": "staging",
		"status": 200.0, "route": "/",
	}
	for key, value := range want {
		if entry[key] != value {
			t.Errorf("%s = %v, want %v in %s", key, entry[key], value, lines[0])
		}
	}
	if _, ok := entry["msg"]; ok {
		t.Errorf("msg is renamed to message: %s", lines[0])
	}
	if ts, _ := entry["time"].(string); !regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`).MatchString(ts) {
		t.Errorf("time %q is not ISO 8601 UTC with milliseconds", entry["time"])
	}
	if !strings.Contains(lines[1], `"level":"warn"`) {
		t.Errorf("level is lowercase: %s", lines[1])
	}
}

func TestNoEnvironment(t *testing.T) {
	var out bytes.Buffer
	New(&out, slog.LevelInfo, "orders", "").Info("started")
	if strings.Contains(out.String(), "environment") {
		t.Errorf("environment is left out when unset: %s", out.String())
	}
}

func TestParseLevel(t *testing.T) {
	for name, want := range map[string]slog.Level{
		"debug": slog.LevelDebug, "INFO": slog.LevelInfo, "warning": slog.LevelWarn, "error": slog.LevelError,
	} {
		if got, err := ParseLevel(name); err != nil || got != want {
			t.Errorf("ParseLevel(%q) = %v, %v; want %v", name, got, err, want)
		}
	}
	if _, err := ParseLevel("loud"); err == nil {
		t.Error("ParseLevel accepts an unknown level")
	}
}
