package io.mistguard.proxy.trigger;

import io.mistguard.proxy.exchange.Decision;

/**
 * Where the trigger listener reports what it did, for the meters ({@link TriggerMeters}). Called on
 * event loops, concurrently; implementations must be thread-safe and must not block.
 */
public interface TriggerObserver {

    /** Reports nothing. */
    TriggerObserver NONE = new TriggerObserver() {
        @Override
        public void answered(String tag, Decision decision, Decision cause, long nanos) {
        }

        @Override
        public void delivery(String tag, DeliveryOutcome outcome) {
        }
    };

    /** What became of one delivery attempt of a non-blocking trigger. */
    enum DeliveryOutcome {
        /** catalyst-api answered 2xx. */
        DELIVERED,
        /** It failed and will be tried again after a backoff. */
        RETRIED,
        /** It failed for the last time, or catalyst-api refused it (a 4xx): dropped, logged. */
        DROPPED
    }

    /**
     * One trigger request answered.
     *
     * @param tag      the trigger's metric tag: a configured name, or {@code other}
     * @param decision how it was answered
     * @param cause    for a fallback or last-known answer, why; otherwise {@code null}
     * @param nanos    from the request's arrival to its answer
     */
    void answered(String tag, Decision decision, Decision cause, long nanos);

    /** One delivery attempt of a non-blocking trigger ended. */
    void delivery(String tag, DeliveryOutcome outcome);
}
