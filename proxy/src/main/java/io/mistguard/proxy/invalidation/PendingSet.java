package io.mistguard.proxy.invalidation;

import io.mistguard.proxy.time.Ticker;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The held stream names: a registry of {@link StreamSlot}s keyed by name plus the order in which
 * waiting slots are sent. Implements the per-name state machine of {@link StreamState}.
 *
 * <p>Producer side ({@link #offer}, from any thread) is lock-free: the registry is a
 * {@link ConcurrentSkipListMap} and the order a {@link ConcurrentLinkedQueue}, both CAS-only (a
 * {@code ConcurrentHashMap} would lock a bin on insertion). The bound is a CAS-reserved counter of
 * held names. Drainer side ({@link #takeBatch}, {@link #delivered}, {@link #failed},
 * {@link #hasWaiting}) must be called by one thread at a time with happens-before between calls, as
 * the drainer's scheduler hand-offs provide. Snapshots ({@link #heldNames}, {@link #gauges}) are
 * weakly consistent and may run on any thread.
 */
final class PendingSet {

    private final ConcurrentSkipListMap<String, StreamSlot> slots = new ConcurrentSkipListMap<>();
    private final ConcurrentLinkedQueue<StreamSlot> waiting = new ConcurrentLinkedQueue<>();
    /** Names of failed calls; drainer-confined, sent before {@link #waiting} as they are older. */
    private final ArrayDeque<StreamSlot> retry = new ArrayDeque<>();
    private final AtomicInteger held = new AtomicInteger();
    /** Bumped whenever the set of held names changes, so checkpoints can skip unchanged states. */
    private final AtomicLong changes = new AtomicLong();
    /** Numbers new slots, so that names queued within one ticker reading keep their order. */
    private final AtomicLong created = new AtomicLong();
    private final int maxHeld;
    private final Ticker ticker;
    private volatile boolean closed;

    PendingSet(int maxHeld, Ticker ticker) {
        this.maxHeld = maxHeld;
        this.ticker = ticker;
    }

    /** Producer entry point; see {@link OfferOutcome}. Never blocks. */
    OfferOutcome offer(String name) {
        if (StreamNames.problem(name) != null) {
            return OfferOutcome.REJECTED_INVALID;
        }
        if (closed) {
            return OfferOutcome.REJECTED_SHUTDOWN;
        }
        OfferOutcome outcome = admit(name);
        // Closed while we were admitting: the final snapshot may have missed this name, so tell the
        // caller to retry elsewhere rather than claim a delivery we cannot promise.
        return closed && outcome.accepted() ? OfferOutcome.REJECTED_SHUTDOWN : outcome;
    }

    /** The most distinct names held at once ({@code max_pending_names}). */
    int maxHeld() {
        return maxHeld;
    }

    private OfferOutcome admit(String name) {
        for (;;) {
            StreamSlot slot = slots.get(name);
            if (slot == null) {
                if (!reserve()) {
                    return OfferOutcome.REJECTED_FULL;
                }
                StreamSlot fresh = new StreamSlot(name, ticker.nanoTime(), created.incrementAndGet());
                slot = slots.putIfAbsent(name, fresh);
                if (slot == null) {
                    waiting.offer(fresh);
                    changes.incrementAndGet();
                    return OfferOutcome.QUEUED;
                }
                held.decrementAndGet(); // lost the race to another producer; use its slot
            }
            switch (slot.state()) {
                case PENDING, REPENDING:
                    return OfferOutcome.COALESCED;
                case IN_FLIGHT:
                    // The time first: the drainer reads it as soon as it sees REPENDING. Found by review:
                    // written after the transition, a flight ending in between took 0 (or an older
                    // re-request's time), and the oldest-age gauge read the process's uptime.
                    slot.markRepending(ticker.nanoTime());
                    if (slot.transition(StreamState.IN_FLIGHT, StreamState.REPENDING)) {
                        return OfferOutcome.REQUEUED_AFTER_FLIGHT;
                    }
                    break; // the flight ended meanwhile; look again
                default:
                    // RETIRED: delivered and on its way out; help remove it, then start afresh.
                    slots.remove(name, slot);
                    break;
            }
        }
    }

    private boolean reserve() {
        for (;;) {
            int current = held.get();
            if (current >= maxHeld) {
                return false;
            }
            if (held.compareAndSet(current, current + 1)) {
                return true;
            }
        }
    }

    /** Drainer: moves up to {@code max} waiting slots, retries first, to {@code IN_FLIGHT}. */
    List<StreamSlot> takeBatch(int max) {
        List<StreamSlot> batch = new ArrayList<>(Math.min(max, 64));
        while (batch.size() < max) {
            StreamSlot slot = retry.isEmpty() ? waiting.poll() : retry.pollFirst();
            if (slot == null) {
                break;
            }
            // Only the drainer leaves PENDING, so this cannot fail; a slot sits in one queue once.
            if (!slot.transition(StreamState.PENDING, StreamState.IN_FLIGHT)) {
                throw new IllegalStateException("queued slot not pending: " + slot);
            }
            batch.add(slot);
        }
        return batch;
    }

    /** Drainer: the call for {@code batch} succeeded. Re-requested names wait again. */
    void delivered(List<StreamSlot> batch) {
        for (StreamSlot slot : batch) {
            if (slot.transition(StreamState.IN_FLIGHT, StreamState.RETIRED)) {
                held.decrementAndGet();
                slots.remove(slot.name, slot);
                changes.incrementAndGet();
                continue;
            }
            // REPENDING: producers never leave it, so a plain CAS succeeds.
            slot.advanceSinceToRepending();
            slot.transition(StreamState.REPENDING, StreamState.PENDING);
            waiting.offer(slot);
        }
    }

    /** Drainer: the call for {@code batch} failed; its names go first in the next call. */
    void failed(List<StreamSlot> batch) {
        for (int i = batch.size() - 1; i >= 0; i--) {
            StreamSlot slot = batch.get(i);
            if (!slot.transition(StreamState.IN_FLIGHT, StreamState.PENDING)) {
                slot.transition(StreamState.REPENDING, StreamState.PENDING);
            }
            retry.addFirst(slot);
        }
    }

    /** Drainer: whether {@link #takeBatch} would return something. */
    boolean hasWaiting() {
        return !retry.isEmpty() || !waiting.isEmpty();
    }

    /** Any thread: whether producers queued something not yet taken (ignores the retry list). */
    boolean hasQueued() {
        return !waiting.isEmpty();
    }

    /** Refuses further offers; used once the final state is about to be written. */
    void close() {
        closed = true;
    }

    long changeCount() {
        return changes.get();
    }

    /** The names the queue is responsible for (waiting or in flight), oldest request first. */
    List<String> heldNames() {
        return PendingSnapshot.heldNames(slots.values());
    }

    /** The state of {@code name}; {@code IDLE} when it has no live slot. */
    StreamState stateOf(String name) {
        StreamSlot slot = slots.get(name);
        return slot == null || slot.state() == StreamState.RETIRED ? StreamState.IDLE : slot.state();
    }

    /** One pass over the held names for the gauges of {@link InvalidationStats}. */
    PendingSnapshot.Gauges gauges() {
        return PendingSnapshot.gauges(slots.values(), ticker.nanoTime());
    }
}
