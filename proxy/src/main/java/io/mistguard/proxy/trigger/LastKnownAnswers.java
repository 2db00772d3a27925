package io.mistguard.proxy.trigger;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * catalyst-api's last {@code 200} answer per trigger key, for {@code last-known} fallbacks: bounded
 * by entry count and by bytes (body and key), the least recently stored dropped first.
 *
 * <p>Bodies are plain {@code byte[]} copies, so an entry has no reference count and any event loop
 * may read it. Thread-safe under one monitor: every operation is a constant number of map steps with
 * no I/O, and triggers arrive at most a few thousand a second, so the monitor is never held long
 * enough to be contended (the read cache's lock-free store, {@code cache.LastKnownGood}, pays for
 * its CAS reservations because it sits on Mist's hot read path).
 */
final class LastKnownAnswers {

    /** Bookkeeping per entry beyond body and key (entry, node, strings). */
    static final int OVERHEAD_BYTES = 128;

    /** One stored answer; {@code body} is never modified. */
    record Stored(byte[] body, String contentType, long storedAt) {
    }

    private final int maxEntries;
    private final long maxBytes;
    private final LinkedHashMap<String, Stored> entries = new LinkedHashMap<>();
    private long bytes;

    LastKnownAnswers(int maxEntries, long maxBytes) {
        this.maxEntries = maxEntries;
        this.maxBytes = maxBytes;
    }

    /** Keeps {@code answer} under {@code key}; false when the two alone exceed the byte bound. */
    synchronized boolean put(String key, Stored answer) {
        long weight = weight(key, answer);
        if (weight > maxBytes) {
            return false;
        }
        Stored previous = entries.remove(key);
        if (previous != null) {
            bytes -= weight(key, previous);
        }
        entries.put(key, answer); // re-inserted: the newest now
        bytes += weight;
        Iterator<Map.Entry<String, Stored>> oldest = entries.entrySet().iterator();
        while (entries.size() > maxEntries || bytes > maxBytes) {
            Map.Entry<String, Stored> e = oldest.next();
            bytes -= weight(e.getKey(), e.getValue());
            oldest.remove();
        }
        return true;
    }

    /** The answer under {@code key} if it is at most {@code maxAgeNanos} old at {@code now}; else null. */
    synchronized Stored get(String key, long now, long maxAgeNanos) {
        Stored s = entries.get(key);
        return s == null || now - s.storedAt() > maxAgeNanos ? null : s;
    }

    synchronized int size() {
        return entries.size();
    }

    synchronized long bytes() {
        return bytes;
    }

    private static long weight(String key, Stored s) {
        return s.body().length + 2L * key.length()
               + (s.contentType() == null ? 0 : 2L * s.contentType().length()) + OVERHEAD_BYTES;
    }
}
