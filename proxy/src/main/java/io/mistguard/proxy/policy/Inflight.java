package io.mistguard.proxy.policy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The upstream attempts in flight across every event loop and every route table a reload left
 * running, for {@code /admin/inflight}.
 *
 * <p>Each thread that adds attempts (an event loop) has a register of its own: an array of slots
 * that only it writes, with a free list of the slots it emptied. Adding or removing an attempt is a
 * store into that array and no lock, hash or allocation; a concurrent set cost about 0.3 µs of CPU
 * per request in {@code deploy/bench/profile.sh} (an identity hash of every new attempt, a node,
 * its counter). {@link #list} reads every register from any thread without stopping anybody; it
 * sees each attempt added before it started and not removed since, and may or may not see those
 * added or removed meanwhile.
 *
 * <p>Thread-safety: {@link #add} and {@link #remove} of one attempt must run on the same thread
 * (mistguard's policies are confined to their event loop); {@link #list} runs on any thread.
 */
public final class Inflight {

    private final ThreadLocal<Register> ownRegister = ThreadLocal.withInitial(this::newRegister);
    private final List<Register> registers = new CopyOnWriteArrayList<>();

    /** Records {@code attempt} as in flight; on the thread that will {@link #remove} it. */
    void add(InflightAttempt attempt) {
        ownRegister.get().add(attempt);
    }

    /** Forgets {@code attempt}; on the thread that added it. Does nothing if it was never added or is gone. */
    void remove(InflightAttempt attempt) {
        Register register = attempt.register;
        if (register != null) {
            register.remove(attempt);
        }
    }

    /** The attempts in flight now, oldest first (the ones an operator is looking for). */
    public List<InflightAttempt> list(long nowNanos) {
        List<InflightAttempt> all = new ArrayList<>();
        for (Register register : registers) {
            register.collect(all);
        }
        all.sort(Comparator.comparing((InflightAttempt a) -> a.age(nowNanos)).reversed());
        return List.copyOf(all);
    }

    private Register newRegister() {
        Register register = new Register(Thread.currentThread());
        registers.add(register);
        return register;
    }

    /** One thread's attempts: written by that thread only, read by any. */
    static final class Register {

        private final Thread owner;
        /** Replaced (never changed in size) when full; readers take whichever array is current. */
        private volatile AtomicReferenceArray<InflightAttempt> slots = new AtomicReferenceArray<>(8);
        /** Slots below this index have been used; above it, never. */
        private int used;
        private int[] free = new int[8];
        private int freeCount;

        private Register(Thread owner) {
            this.owner = owner;
        }

        private void add(InflightAttempt attempt) {
            assert Thread.currentThread() == owner : "an attempt is added on its register's thread";
            int slot;
            if (freeCount > 0) {
                slot = free[--freeCount];
            } else {
                slot = used++;
                if (slot == slots.length()) {
                    grow();
                }
            }
            attempt.register = this;
            attempt.slot = slot;
            slots.setRelease(slot, attempt); // a plain store on x86; list() reads with acquire
        }

        private void remove(InflightAttempt attempt) {
            assert Thread.currentThread() == owner : "an attempt is removed on the thread that added it";
            slots.setRelease(attempt.slot, null);
            attempt.register = null;
            if (freeCount == free.length) {
                free = Arrays.copyOf(free, free.length * 2);
            }
            free[freeCount++] = attempt.slot;
        }

        private void grow() {
            AtomicReferenceArray<InflightAttempt> old = slots;
            AtomicReferenceArray<InflightAttempt> bigger = new AtomicReferenceArray<>(old.length() * 2);
            for (int i = 0; i < old.length(); i++) {
                bigger.set(i, old.get(i));
            }
            slots = bigger;
        }

        private void collect(List<InflightAttempt> into) {
            AtomicReferenceArray<InflightAttempt> current = slots;
            for (int i = 0; i < current.length(); i++) {
                InflightAttempt attempt = current.get(i);
                if (attempt != null) {
                    into.add(attempt);
                }
            }
        }
    }
}
