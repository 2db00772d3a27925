package io.mistguard.proxy.policy;

/**
 * An operator's override of a breaker: held {@code open} (every call refused) or {@code closed}
 * (every call let through, results not recorded) until {@code untilNanos} on the breaker's ticker,
 * after which the breaker's own state applies again. Immutable.
 *
 * @param open true for force-open, false for force-close
 * @param untilNanos when the override expires, on the breaker's ticker
 */
record ForcedState(boolean open, long untilNanos) {

    boolean expiredAt(long nowNanos) {
        return nowNanos - untilNanos >= 0;
    }

    String name() {
        return open ? "open" : "closed";
    }
}
