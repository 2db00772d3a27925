package io.mistguard.proxy.policy;

import io.mistguard.proxy.config.AdmissionConfig;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An admission pool: at most {@code maxConcurrent} requests at Mist, at most {@code maxQueue}
 * waiting for a slot, and an immediate "no" beyond that — so memory stays bounded under any load.
 *
 * <p>Lock-free: slots and queue length are atomic counters, waiters sit in a
 * {@link ConcurrentLinkedQueue}. A freed slot is handed straight to the oldest waiter still
 * waiting; the grant callback runs on whichever thread is draining at that moment, so callers pass
 * one that resumes on their own event loop. A waiter that gives up ({@link Waiter#abandon()}) leaves the
 * queue at once. Shared by every event loop; thread-safe.
 */
public final class Admission {

    /** What {@link #acquire} did. */
    public enum Result { ADMITTED, QUEUED, REJECTED }

    private final String name;
    private final AdmissionConfig config;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger queued = new AtomicInteger();
    private final ConcurrentLinkedQueue<Waiter> queue = new ConcurrentLinkedQueue<>();
    private final AtomicLong rejected = new AtomicLong();
    /** Drain requests not yet served; only the caller that raised it from 0 drains (see {@link #drain}). */
    private final AtomicInteger drainRequests = new AtomicInteger();

    public Admission(String name, AdmissionConfig config) {
        this.name = name;
        this.config = config;
    }

    public String name() {
        return name;
    }

    public AdmissionConfig config() {
        return config;
    }

    /**
     * Asks for a slot. {@code ADMITTED}: the caller holds one now. {@code QUEUED}: {@code waiter}
     * holds a place in the queue and {@code onGrant} runs once a slot is its own. {@code REJECTED}:
     * the queue is full; nothing is held.
     */
    public Result acquire(Waiter waiter) {
        if (tryTakeSlot()) {
            return Result.ADMITTED;
        }
        if (queued.incrementAndGet() > config.maxQueue()) {
            queued.decrementAndGet();
            rejected.incrementAndGet();
            return Result.REJECTED;
        }
        queue.add(waiter);
        drain(); // a slot may have been freed between the check above and joining the queue
        return Result.QUEUED;
    }

    /** Frees a slot the caller holds, handing it to the oldest waiter if there is one. */
    public void release() {
        inFlight.decrementAndGet();
        drain();
    }

    public AdmissionSnapshot snapshot() {
        return new AdmissionSnapshot(name, inFlight.get(), queued.get(), rejected.get());
    }

    private boolean tryTakeSlot() {
        for (int n = inFlight.get(); n < config.maxConcurrent(); n = inFlight.get()) {
            if (inFlight.compareAndSet(n, n + 1)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Moves free slots to waiters, one drainer at a time: a call made while another drain is running
     * (on another thread, or from a grant callback on this one) only records the request, and the
     * running drainer loops once more. Grant callbacks therefore never recurse into draining, however
     * they release, and no request to drain is lost (the work-in-progress counter pattern).
     */
    private void drain() {
        if (drainRequests.getAndIncrement() != 0) {
            return;
        }
        int requests = 1;
        do {
            moveFreeSlotsToWaiters();
            requests = drainRequests.addAndGet(-requests);
        } while (requests != 0);
    }

    /** Re-checks the queue after giving a reserved slot back, so no waiter that joined meanwhile is stranded. */
    private void moveFreeSlotsToWaiters() {
        while (!queue.isEmpty() && tryTakeSlot()) {
            Waiter next = queue.poll();
            if (next != null && next.grant()) {
                queued.decrementAndGet();
                continue;
            }
            inFlight.decrementAndGet(); // nobody (still waiting) to give it to
        }
    }

    /**
     * A place in the queue. Exactly one of {@link #grant()} (by the pool) and {@link #abandon()} (by
     * its owner) wins.
     */
    public static final class Waiter {

        private static final int WAITING = 0;
        private static final int GRANTED = 1;
        private static final int ABANDONED = 2;

        private final AtomicInteger state = new AtomicInteger(WAITING);
        private final Runnable onGrant;

        /** @param onGrant runs on the draining thread (see {@link Admission}); it then owns the slot */
        public Waiter(Runnable onGrant) {
            this.onGrant = onGrant;
        }

        private boolean grant() {
            if (!state.compareAndSet(WAITING, GRANTED)) {
                return false;
            }
            onGrant.run();
            return true;
        }

        /**
         * Gives up waiting (timeout, caller gone). Returns false when a slot was already granted: the
         * owner then holds it and must release it once its grant callback has run.
         */
        public boolean abandon(Admission from) {
            if (!state.compareAndSet(WAITING, ABANDONED)) {
                return false;
            }
            from.queued.decrementAndGet(); // the count is of waiters still waiting: the CAS winner owns it
            from.queue.remove(this);       // bounded work: at most maxQueue entries
            return true;
        }
    }
}
