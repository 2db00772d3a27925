package io.mistguard.proxy.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;

/**
 * How the trigger listener handles one trigger name ({@code X-Trigger}): whether Mist waits for the
 * answer, how long catalyst-api gets, and what Mist is answered when catalyst-api fails. Immutable.
 *
 * @param blocking  Mist waits for the answer (mist-api.md §5: {@code USER_NEW}, {@code PUSH_REWRITE},
 *                  {@code STREAM_SOURCE}, {@code PUSH_OUT_START}); false: answered {@code 200} at once
 *                  and delivered to catalyst-api by the bounded delivery queue
 * @param timeout   the longest Mist waits for mistguard's answer, queueing for a slot included; keep it
 *                  below Mist's own 5 s attempt ({@code check-config} flags it otherwise)
 * @param fallback  the answer when catalyst-api fails; {@link TriggerFallback#LAST_KNOWN} consults the
 *                  store first
 * @param otherwise for {@code last-known}: the answer when no stored answer is young enough; never
 *                  {@code last-known} itself. For any other fallback it is that fallback, and
 *                  {@code keyLines} is empty: such a policy keeps no answers, so it has no key
 * @param maxAge    for {@code last-known}: the oldest stored answer that is still given
 * @param keyLines  for {@code last-known}: the 0-based payload lines that make up the key (USER_NEW:
 *                  stream and session id, lines 0 and 5); empty means the whole payload
 */
public record TriggerPolicy(boolean blocking, Duration timeout, TriggerFallback fallback, TriggerFallback otherwise,
                            Duration maxAge, List<Integer> keyLines) {

    /** Payload lines of a trigger are few (USER_NEW has 7); a larger index is a typo. */
    public static final int MAX_KEY_LINE = 63;

    public TriggerPolicy {
        Require.positive(timeout, "timeout");
        requireNonNull(fallback, "fallback");
        requireNonNull(otherwise, "otherwise");
        if (otherwise == TriggerFallback.LAST_KNOWN) {
            throw new IllegalArgumentException("otherwise: last-known (expected: allow, deny or empty)");
        }
        Require.positive(maxAge, "maxAge");
        keyLines = List.copyOf(keyLines);
        keyLines.forEach(line -> Require.inRange(line, 0, MAX_KEY_LINE, "keyLines"));
        if (fallback != TriggerFallback.LAST_KNOWN) {
            // Nothing is stored or looked up: views must not show a key or an otherwise that never applies.
            otherwise = fallback;
            keyLines = List.of();
        }
    }

    /** A policy whose fallback is a fixed answer (no store). */
    public static TriggerPolicy fixed(boolean blocking, Duration timeout, TriggerFallback fallback) {
        return new TriggerPolicy(blocking, timeout, fallback, fallback == TriggerFallback.LAST_KNOWN
                ? TriggerFallback.ALLOW : fallback, Duration.ofMinutes(10), List.of());
    }

    /** The fixed answer given when nothing stored applies: {@code fallback}, or {@code otherwise} for last-known. */
    public TriggerFallback fixedFallback() {
        return fallback == TriggerFallback.LAST_KNOWN ? otherwise : fallback;
    }
}
