package io.mistguard.proxy.invalidation;

import java.util.concurrent.atomic.LongAdder;

/**
 * The monotonically increasing counts behind {@link InvalidationStats}.
 *
 * <p>Thread-safe: {@link LongAdder}s, because producers on every event loop bump them at once.
 */
final class InvalidationCounters {

    final LongAdder accepted = new LongAdder();
    final LongAdder coalesced = new LongAdder();
    final LongAdder requeued = new LongAdder();
    final LongAdder rejected = new LongAdder();
    final LongAdder sentNames = new LongAdder();
    final LongAdder calls = new LongAdder();
    final LongAdder failedCalls = new LongAdder();
    final LongAdder retriedNames = new LongAdder();
    final LongAdder checkpointsWritten = new LongAdder();

    /** Records the outcome of one offer. */
    void record(OfferOutcome outcome) {
        switch (outcome) {
            case QUEUED -> accepted.increment();
            case COALESCED -> {
                accepted.increment();
                coalesced.increment();
            }
            case REQUEUED_AFTER_FLIGHT -> {
                accepted.increment();
                requeued.increment();
            }
            case REJECTED_FULL, REJECTED_INVALID, REJECTED_SHUTDOWN -> rejected.increment();
        }
    }
}
