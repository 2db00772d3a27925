package io.mistguard.proxy.invalidation;

/**
 * Where one stream name is in its life in the queue.
 *
 * <pre>
 *   IDLE --offer--> PENDING --drainer takes it--> IN_FLIGHT --call succeeded--> IDLE
 *                      ^                            |    |
 *                      |                 offer again|    |call failed
 *                      |                            v    v
 *                      +--call ended-------- REPENDING  PENDING (retried first)
 * </pre>
 *
 * {@code IDLE} is never stored: an idle name simply has no slot. A slot whose name was delivered is
 * {@code RETIRED} (terminal) until it is removed from the registry, so that a producer holding a
 * stale reference to it cannot revive it and lose the name.
 */
enum StreamState {
    IDLE,
    PENDING,
    IN_FLIGHT,
    REPENDING,
    RETIRED;

    /** Whether the queue is responsible for delivering the name (it counts towards the bound). */
    boolean held() {
        return this == PENDING || this == IN_FLIGHT || this == REPENDING;
    }
}
