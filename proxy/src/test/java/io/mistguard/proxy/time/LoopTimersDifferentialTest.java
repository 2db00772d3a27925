package io.mistguard.proxy.time;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.ScheduledFuture;
import io.netty.util.concurrent.Ticker;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link LoopTimers} against {@code loop.schedule}, differentially: pairs of embedded loops on mock
 * clocks get the same random armings (all kinds, lengths that share a lane, ties, delays of zero or
 * less, bursts past the per-wake-up cap), cancels (repeated, of timeouts that ran), clock moves on
 * time and late, and tasks that arm and cancel on their own or another loop of the same thread, or
 * throw. Timeouts must run in the same order; the wake-up must never be later than the next timeout;
 * a loop with nothing armed must have nothing scheduled. A failure names its seed and the last
 * operations, so it can be replayed.
 */
class LoopTimersDifferentialTest {

    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long[] LENGTHS = {
        1 * MS, 2 * MS, 3 * MS, 5 * MS, 7 * MS, 10 * MS, 100 * MS, 140 * MS, 200 * MS, 1000 * MS, 30_000 * MS};
    private static final LoopTimers.Kind[] KINDS = LoopTimers.Kind.values();
    private static final int OPS = 3000;

    /** One loop whose timeouts go through LoopTimers, or straight to loop.schedule. */
    private static final class World {
        final boolean viaLoopTimers;
        final long seed;
        final int index;
        final boolean nonPositive;
        final MockTicker time = Ticker.newMockTicker();
        final EmbeddedChannel channel = EmbeddedChannel.builder().ticker(time).build();
        final EventLoop loop = channel.eventLoop();
        final List<Integer> fired = new ArrayList<>();
        /** Per timeout id: its LoopTimer or ScheduledFuture, and its deadline on {@link #time}. */
        final List<Object> handles = new ArrayList<>();
        final List<Long> deadlines = new ArrayList<>();
        /** The loops of this side, this one included: a task may arm or cancel on any of them. */
        List<World> side = List.of(this);

        World(boolean viaLoopTimers, long seed, int index, boolean nonPositive) {
            this.viaLoopTimers = viaLoopTimers;
            this.seed = seed;
            this.index = index;
            this.nonPositive = nonPositive;
        }

        long now() {
            return time.nanoTime();
        }

        void arm(LoopTimers.Kind kind, long delay) {
            int id = handles.size();
            handles.add(null);
            deadlines.add(delay <= 0 ? now() : now() + delay);
            Runnable task = () -> fire(id);
            handles.set(id, viaLoopTimers
                    ? LoopTimers.schedule(loop, kind, task, delay)
                    : loop.schedule(task, delay, TimeUnit.NANOSECONDS));
        }

        void cancel(int id) {
            Object handle = handles.get(id);
            if (handle instanceof LoopTimer timer) {
                timer.cancel();
            } else {
                ((ScheduledFuture<?>) handle).cancel(false);
            }
        }

        /** What a timeout's task does, drawn from its loop and id: the same on both sides if their histories are. */
        void fire(int id) {
            fired.add(id);
            Random r = new Random(seed * 0x9E3779B97F4A7C15L + index * 1_000_003L + id);
            int action = r.nextInt(100);
            World there = side.get(r.nextInt(side.size()));
            if (action < 15) {
                for (int n = 1 + r.nextInt(3); n > 0; n--) {
                    there.arm(KINDS[r.nextInt(KINDS.length)], delay(r, there));
                }
            } else if (action < 30) {
                there.cancel(r.nextInt(there.handles.size()));
            } else if (action < 33) {
                for (int n = 0; n < 5; n++) {
                    cancel(r.nextInt(handles.size()));
                }
            } else if (action < 35) {
                throw new IllegalStateException("task " + id + " fails on purpose");
            }
        }

        void advance(long nanos) {
            time.advance(nanos, TimeUnit.NANOSECONDS);
        }

        long run() {
            return channel.runScheduledPendingTasks();
        }
    }

    static long delay(Random r, World w) {
        int pick = r.nextInt(100);
        if (pick < 55) {
            long base = LENGTHS[r.nextInt(LENGTHS.length)];
            return r.nextBoolean() ? base : base - r.nextInt((int) Math.min(base / 2, 1_000_000));
        } else if (pick < 70) {
            return 1 + r.nextInt((int) (5 * MS));
        } else if (pick < 78) {
            long base = LENGTHS[r.nextInt(LENGTHS.length)];
            return base / 2 + (long) (r.nextDouble() * (base / 2)); // same power of two, out of order
        } else if (pick < 83) {
            return 1 + r.nextInt(10);
        } else if (pick < 93 && !w.deadlines.isEmpty()) {
            long left = w.deadlines.get(r.nextInt(w.deadlines.size())) - w.now(); // a tie with another
            return left > 0 ? left : 1 + r.nextInt(100);
        } else if (pick < 97 && w.nonPositive) {
            return -r.nextInt(3);
        }
        return 1 + (r.nextLong() & ((1L << 36) - 1));
    }

    private static void check(World lt, World plain, String what, Deque<String> log) {
        if (!lt.fired.equals(plain.fired)) {
            int i = 0;
            while (i < Math.min(lt.fired.size(), plain.fired.size()) && lt.fired.get(i).equals(plain.fired.get(i))) {
                i++;
            }
            throw new AssertionError("seed " + lt.seed + ", loop " + lt.index + ", after " + what
                    + ": first difference at run #" + i
                    + "\n  loop.schedule ran " + plain.fired.subList(i, Math.min(plain.fired.size(), i + 12))
                    + "\n  LoopTimers ran    " + lt.fired.subList(i, Math.min(lt.fired.size(), i + 12))
                    + "\n  last ops:\n    " + String.join("\n    ", log));
        }
    }

    private static void checkNext(long ltNext, long plainNext, World lt, String what) {
        // The wake-up may come early (a cancelled head) but never after the next timeout, and a loop
        // with nothing armed has nothing scheduled.
        if (plainNext == -1) {
            assertThat(ltNext).as("seed %d, loop %d, %s: LoopTimers' loop is idle", lt.seed, lt.index, what)
                    .isEqualTo(-1);
            assertThat(LoopTimers.pending(lt.loop)).as("seed %d, loop %d, %s: pending", lt.seed, lt.index, what)
                    .isZero();
        } else {
            assertThat(ltNext).as("seed %d, loop %d, %s: a wake-up no later than the next timeout",
                    lt.seed, lt.index, what).isNotEqualTo(-1).isLessThanOrEqualTo(plainNext);
        }
    }

    static void play(long seed, int loops, boolean nonPositive) {
        List<World> lts = new ArrayList<>();
        List<World> plains = new ArrayList<>();
        for (int i = 0; i < loops; i++) {
            lts.add(new World(true, seed, i, nonPositive));
            plains.add(new World(false, seed, i, nonPositive));
        }
        for (int i = 0; i < loops; i++) {
            lts.get(i).side = lts;
            plains.get(i).side = plains;
        }
        Random r = new Random(seed);
        Deque<String> log = new ArrayDeque<>();
        long[] lastNext = new long[loops];
        try {
            for (int op = 0; op < OPS; op++) {
                int which = r.nextInt(loops);
                World lt = lts.get(which);
                World plain = plains.get(which);
                int pick = r.nextInt(100);
                String what;
                if (pick < 35) {
                    LoopTimers.Kind kind = KINDS[r.nextInt(KINDS.length)];
                    long delay = delay(r, plain); // drawn once: both clocks agree
                    lt.arm(kind, delay);
                    plain.arm(kind, delay);
                    what = "arm #" + (plain.handles.size() - 1) + " " + kind + " " + delay;
                } else if (pick < 55) {
                    if (plain.handles.isEmpty()) {
                        continue;
                    }
                    int id = r.nextInt(plain.handles.size());
                    lt.cancel(id);
                    plain.cancel(id);
                    what = "cancel #" + id;
                } else if (pick < 80) {
                    long next = lastNext[which];
                    long by = switch (r.nextInt(6)) {
                        case 0 -> 0;
                        case 1 -> 1;
                        case 2 -> next > 0 ? next : 1;        // exactly at the next deadline
                        case 3 -> next > 1 ? next - 1 : 0;    // one nanosecond before it
                        case 4 -> r.nextInt((int) (2 * MS));
                        default -> 50 * MS + (long) (r.nextDouble() * 2000 * MS);
                    };
                    lt.advance(by);
                    plain.advance(by);
                    long ltNext = lt.run();
                    long plainNext = plain.run();
                    lastNext[which] = plainNext;
                    what = "advance " + by + " and run";
                    for (int i = 0; i < loops; i++) {
                        check(lts.get(i), plains.get(i), "loop " + which + ": " + what, log);
                    }
                    checkNext(ltNext, plainNext, lt, what);
                } else if (pick < 88) {
                    long by = r.nextBoolean() ? r.nextInt((int) (5 * MS)) : (long) (r.nextDouble() * 500 * MS);
                    lt.advance(by);
                    plain.advance(by);
                    what = "advance " + by + " late (no run)";
                } else if (pick < 93) {
                    int n = 60 + r.nextInt(100);
                    boolean oneKind = r.nextBoolean();
                    LoopTimers.Kind kind = KINDS[r.nextInt(KINDS.length)];
                    long delay = delay(r, plain);
                    for (int i = 0; i < n; i++) {
                        LoopTimers.Kind k = oneKind ? kind : KINDS[r.nextInt(KINDS.length)];
                        lt.arm(k, delay);
                        plain.arm(k, delay);
                    }
                    what = "burst of " + n + " at " + delay;
                } else {
                    lt.channel.runPendingTasks();
                    plain.channel.runPendingTasks();
                    what = "runPendingTasks";
                    check(lt, plain, what, log);
                }
                log.addLast("loop " + which + ": " + what);
                if (log.size() > 12) {
                    log.removeFirst();
                }
            }
            // Drain: all that is still armed runs, in the same order, and every loop ends idle.
            for (int round = 0; round < 100; round++) {
                boolean idle = true;
                for (int i = 0; i < loops; i++) {
                    World lt = lts.get(i);
                    World plain = plains.get(i);
                    lt.advance(TimeUnit.HOURS.toNanos(1));
                    plain.advance(TimeUnit.HOURS.toNanos(1));
                    lt.run();
                    long plainNext = plain.run();
                    check(lt, plain, "drain", log);
                    idle &= plainNext == -1;
                }
                if (idle) {
                    for (int i = 0; i < loops; i++) {
                        checkNext(lts.get(i).run(), plains.get(i).run(), lts.get(i), "drain");
                    }
                    break;
                }
            }
        } finally {
            for (int i = 0; i < loops; i++) {
                lts.get(i).channel.finishAndReleaseAll();
                plains.get(i).channel.finishAndReleaseAll();
            }
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 20261202, 42})
    void runsAsLoopScheduleWouldWithPositiveDelays(long seed) {
        play(seed, 1, false);
    }

    @ParameterizedTest
    @ValueSource(longs = {11, 12, 13, 14})
    void severalLoopsOnOneThreadKeepTheirTimeoutsApart(long seed) {
        play(seed, 3, false);
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 20261202, 42})
    void runsAsLoopScheduleWouldWithDelaysOfZeroOrLess(long seed) {
        play(seed, 1, true);
    }
}
