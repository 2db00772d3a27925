package io.mistguard.proxy.trigger;

/**
 * The delivery queue of non-blocking triggers at one instant. Immutable.
 *
 * @param pending      triggers held: waiting, backing off or in flight
 * @param pendingBytes bytes they count against {@code max_pending_bytes}
 * @param inFlight     deliveries at catalyst-api now
 * @param delivered    delivered (2xx) since start
 * @param retried      attempts that failed and were retried
 * @param dropped      given up (attempts exhausted, a 4xx, or stopped)
 * @param refused      refused at the door: queue full or stopping (Mist got 503 {@code trigger-queue-full})
 */
public record DeliveryStats(int pending, long pendingBytes, int inFlight, long delivered, long retried, long dropped,
                            long refused) {
}
