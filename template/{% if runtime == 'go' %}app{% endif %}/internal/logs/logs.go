// Package logs writes JSON logs on stdout, one object per line, ready for any log collector:
// time (UTC, milliseconds), level, message, service, environment when set, then the fields.
package logs

import (
	"io"
	"log/slog"
	"strings"
)

// New returns a logger that writes records at level or above to w.
func New(w io.Writer, level slog.Leveler, service, environment string) *slog.Logger {
	handler := slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level, ReplaceAttr: rename})
	log := slog.New(handler).With("service", service)
	if environment != "" {
		log = log.With("environment", environment)
	}
	return log
}

// ParseLevel reads LOG_LEVEL: debug, info, warn (or warning) or error, in any case.
func ParseLevel(name string) (slog.Level, error) {
	if strings.EqualFold(name, "warning") {
		name = "warn"
	}
	var level slog.Level
	err := level.UnmarshalText([]byte(name))
	return level, err
}

// rename gives slog's built-in attributes the names and formats of the log contract.
func rename(groups []string, a slog.Attr) slog.Attr {
	if len(groups) > 0 {
		return a
	}
	switch a.Key {
	case slog.TimeKey:
		if a.Value.Kind() == slog.KindTime {
			return slog.String("time", a.Value.Time().UTC().Format("2006-01-02T15:04:05.000Z07:00"))
		}
	case slog.LevelKey:
		if level, ok := a.Value.Any().(slog.Level); ok {
			return slog.String("level", strings.ToLower(level.String()))
		}
	case slog.MessageKey:
		a.Key = "message"
	}
	return a
}
