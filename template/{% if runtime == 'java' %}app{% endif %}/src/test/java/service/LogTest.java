package service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LogTest {
    @AfterEach
    void reset() {
        Log.configure("info", null, null);
    }

    @Test
    void linesAreJson() {
        Log.configure("info", null, "staging");
        String line = Log.format(Instant.parse("2030-01-02T03:04:05Z"), Log.Level.INFO, "request",
                Json.object("status", 200, "path", "/\"quoted\"\n", "duration_ms", 1.5));
        Map<String, Object> entry = JsonParser.parseObject(line);
        assertEquals("2030-01-02T03:04:05.000Z", entry.get("time"));
        assertEquals("info", entry.get("level"));
        assertEquals("request", entry.get("message"));
        assertEquals(Settings.NAME, entry.get("service"));
        assertEquals("staging", entry.get("environment"));
        assertEquals(200.0, entry.get("status"));
        assertEquals("/\"quoted\"\n", entry.get("path"));
        assertEquals(1.5, entry.get("duration_ms"));
    }

    @Test
    void environmentOnlyWhenSet() {
        Log.configure("info", null, "");
        Map<String, Object> entry = JsonParser.parseObject(Log.format(Instant.now(), Log.Level.ERROR, "x", Map.of()));
        assertFalse(entry.containsKey("environment"));
        assertEquals("error", entry.get("level"));
    }

    @Test
    void oneLinePerEntryAndLevelThreshold() {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        PrintStream previous = Log.output(new PrintStream(buffer, true, StandardCharsets.UTF_8));
        try {
            Log.configure("info", null, null);
            Log.debug("hidden", Map.of());
            Log.info("shown", Map.of("text", "two\nlines, caf\u00e9"));
            Log.warning("shown too", Map.of());
        } finally {
            Log.output(previous);
        }
        List<String> lines = buffer.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(2, lines.size(), lines.toString());
        assertTrue(lines.get(0).chars().allMatch(c -> c >= 0x20 && c < 0x7f), lines.get(0));
        assertEquals("two\nlines, caf\u00e9", JsonParser.parseObject(lines.get(0)).get("text"));
        assertEquals("warning", JsonParser.parseObject(lines.get(1)).get("level"));
    }

    @Test
    void serviceNameFromConfiguration() {
        Log.configure("info", "payments-canary", null);
        assertEquals("payments-canary", JsonParser.parseObject(Log.format(Instant.now(), Log.Level.INFO, "x", Map.of()))
                .get("service"));
        Log.configure("info", "", null);
        assertEquals(Settings.NAME, JsonParser.parseObject(Log.format(Instant.now(), Log.Level.INFO, "x", Map.of()))
                .get("service"));
    }

    @Test
    void levelNames() {
        assertEquals(Log.Level.WARNING, Log.Level.parse("WARN"));
        assertEquals(Log.Level.DEBUG, Log.Level.parse("debug"));
        assertThrows(IllegalArgumentException.class, () -> Log.Level.parse("verbose"));
    }
}
