package io.mistguard.proxy.invalidation;

/**
 * What {@link InvalidationQueue#offer(String)} did with a stream name; the closed set the HTTP layer
 * maps to a reply and a metric tag.
 */
public enum OfferOutcome {
    /** The name was not held; it now waits for the next call. */
    QUEUED,
    /** The name was already waiting; the next call covers this request too. */
    COALESCED,
    /** The name is in a call that started earlier; it will be sent once more after that call. */
    REQUEUED_AFTER_FLIGHT,
    /** The queue holds {@code maxPendingNames} distinct names already; the caller should retry. */
    REJECTED_FULL,
    /** Empty, too long, or containing control characters (which the state file cannot hold). */
    REJECTED_INVALID,
    /** The queue is shutting down and its final state is (being) written. */
    REJECTED_SHUTDOWN;

    /** Whether Mist will see this name in a call that starts after this offer. */
    public boolean accepted() {
        return this == QUEUED || this == COALESCED || this == REQUEUED_AFTER_FLIGHT;
    }
}
