package io.mistguard.proxy.soak;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** Named counters and maxima for the soak's report (requests per kind, decisions per route, …). Thread-safe. */
final class Tally {

    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> maxima = new ConcurrentHashMap<>();

    /** Keeps the largest {@code value} seen under {@code key}. */
    void max(String key, long value) {
        maxima.computeIfAbsent(key, k -> new AtomicLong(Long.MIN_VALUE)).accumulateAndGet(value, Math::max);
    }

    /** Every maximum whose key starts with {@code prefix}, the prefix cut off, sorted. */
    Map<String, Long> maxima(String prefix) {
        Map<String, Long> out = new TreeMap<>();
        maxima.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                out.put(k.substring(prefix.length()), v.get());
            }
        });
        return out;
    }

    void add(String key) {
        counts.computeIfAbsent(key, k -> new LongAdder()).increment();
    }

    long get(String key) {
        LongAdder n = counts.get(key);
        return n == null ? 0 : n.sum();
    }

    /** Every counter whose key starts with {@code prefix}, the prefix cut off, sorted. */
    Map<String, Long> under(String prefix) {
        Map<String, Long> out = new TreeMap<>();
        counts.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                out.put(k.substring(prefix.length()), v.sum());
            }
        });
        return out;
    }
}
