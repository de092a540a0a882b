package service;

import java.io.PrintStream;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** JSON logs on stdout: one object per line, ready for any log collector. */
final class Log {
    enum Level {
        DEBUG, INFO, WARNING, ERROR;

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        static Level parse(String name) {
            String label = name.trim().toLowerCase(Locale.ROOT);
            for (Level level : values()) {
                if (level.label().equals(label) || (level == WARNING && label.equals("warn"))) {
                    return level;
                }
            }
            throw new IllegalArgumentException("LOG_LEVEL must be debug, info, warning or error; got \"" + name + "\"");
        }
    }

    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSXXX").withZone(ZoneOffset.UTC);

    private static volatile Level threshold = Level.INFO;
    private static volatile String service = Settings.NAME;
    private static volatile String environment;
    private static volatile PrintStream out = System.out;

    private Log() {}

    /** Null or empty names: the service's own name, no environment. */
    static void configure(String level, String serviceName, String environmentName) {
        threshold = Level.parse(level);
        service = serviceName == null || serviceName.isEmpty() ? Settings.NAME : serviceName;
        environment = environmentName == null || environmentName.isEmpty() ? null : environmentName;
    }

    /** Sends the lines elsewhere (tests); returns the previous stream. */
    static PrintStream output(PrintStream stream) {
        PrintStream previous = out;
        out = stream;
        return previous;
    }

    static boolean enabled(Level level) {
        return level.compareTo(threshold) >= 0;
    }

    static void debug(String message, Map<String, ?> fields) {
        log(Level.DEBUG, message, fields);
    }

    static void info(String message, Map<String, ?> fields) {
        log(Level.INFO, message, fields);
    }

    static void warning(String message, Map<String, ?> fields) {
        log(Level.WARNING, message, fields);
    }

    static void error(String message, Map<String, ?> fields) {
        log(Level.ERROR, message, fields);
    }

    static void log(Level level, String message, Map<String, ?> fields) {
        if (!enabled(level)) {
            return;
        }
        String line = format(Instant.now(), level, message, fields);
        PrintStream stream = out;
        synchronized (stream) {
            stream.println(line);
            stream.flush();
        }
    }

    static String format(Instant time, Level level, String message, Map<String, ?> fields) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("time", TIME.format(time));
        entry.put("level", level.label());
        entry.put("message", message);
        entry.put("service", service);
        if (environment != null) {
            entry.put("environment", environment);
        }
        entry.putAll(fields);
        return Json.write(entry);
    }
}
