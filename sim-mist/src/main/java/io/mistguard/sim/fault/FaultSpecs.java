package io.mistguard.sim.fault;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Converts fault rules to and from the plain maps used by scenario YAML and the control endpoint:
 * {@code {command, path, stream, action, delay | min, max, status, bytes, chunk, interval, times,
 * probability}}. Durations are {@code 500ms}, {@code 2s} or a number of milliseconds. Stateless.
 */
public final class FaultSpecs {

    private static final Set<String> KEYS = Set.of("command", "path", "stream", "action", "delay", "min", "max",
            "status", "bytes", "chunk", "interval", "times", "probability");

    private FaultSpecs() {
    }

    public static FaultRule fromMap(Map<?, ?> m) {
        for (Object k : m.keySet()) {
            if (!KEYS.contains(String.valueOf(k))) {
                throw new IllegalArgumentException("fault: unknown key '" + k + "' (expected one of " + KEYS + ")");
            }
        }
        FaultRule r = FaultRule.any();
        if (m.get("command") != null) {
            r = FaultRule.forCommand(str(m, "command"));
        }
        if (m.get("path") != null) {
            r = r.path(str(m, "path"));
        }
        if (m.get("stream") != null) {
            r = r.stream(str(m, "stream"));
        }
        String action = m.get("action") == null ? "none" : str(m, "action");
        r = switch (action) {
            case "none" -> r;
            case "delay" -> m.get("delay") != null ? r.delay(Durations.parse(m.get("delay")))
                    : r.delay(Durations.parse(m.get("min")), Durations.parse(m.get("max")));
            case "hang" -> r.hang();
            case "hangHoldingLock" -> r.hangHoldingLock();
            case "slowFirstByte" -> r.slowFirstByte(Durations.parse(m.get("delay")));
            case "dribble" -> r.dribble(num(m, "chunk", 16).intValue(), Durations.parse(m.get("interval")));
            case "resetMidResponse" -> r.resetMidResponse();
            case "closeWithoutResponse" -> r.closeWithoutResponse();
            case "status" -> r.status(num(m, "status", 503).intValue());
            case "malformedJson" -> r.malformedJson();
            case "truncated" -> r.truncated();
            case "hugeBody" -> r.hugeBody(num(m, "bytes", 10_000_000).intValue());
            case "closeAfterReply" -> r.closeAfterReply();
            case "garbage" -> r.garbage();
            default -> throw new IllegalArgumentException("fault action: '" + action + "' (expected: delay, hang, "
                    + "hangHoldingLock, slowFirstByte, dribble, resetMidResponse, closeWithoutResponse, status, "
                    + "malformedJson, truncated, hugeBody, closeAfterReply, garbage)");
        };
        if (m.get("times") != null) {
            r = r.times(num(m, "times", 1).intValue());
        }
        if (m.get("probability") != null) {
            r = r.probability(num(m, "probability", 1).doubleValue());
        }
        return r;
    }

    public static Map<String, Object> toMap(FaultRule r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("command", r.command());
        m.put("path", r.path());
        m.put("stream", r.stream());
        m.put("action", r.action().name());
        m.put("minMs", r.minDelay().toMillis());
        m.put("maxMs", r.maxDelay().toMillis());
        m.put("amount", r.amount());
        m.put("times", r.times());
        m.put("probability", r.probability());
        return m;
    }

    private static String str(Map<?, ?> m, String key) {
        return String.valueOf(m.get(key));
    }

    private static Number num(Map<?, ?> m, String key, Number fallback) {
        Object v = m.get(key);
        if (v == null) {
            return fallback;
        }
        if (v instanceof Number n) {
            return n;
        }
        try {
            return Double.parseDouble(v.toString());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("fault " + key + ": '" + v + "' (expected: a number)");
        }
    }
}
