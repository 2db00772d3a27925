package io.mistguard.bench;

import io.mistguard.proxy.time.LoopTimer;
import io.mistguard.proxy.time.LoopTimers;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One request deadline timer, armed and cancelled on the event loop, as every request does, with
 * {@code pending} other timers waiting: with {@code loop.schedule} (the loop's priority queue:
 * O(log n) per change) and with mistguard's {@code LoopTimers} (a FIFO lane per kind and length:
 * O(1)), where the others are earlier requests' deadlines of the same length.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Benchmark)
public class TimerBench {

    @Param({"64", "10000"})
    public int pending;

    private EmbeddedChannel channel;
    private EventLoop loop;
    private final List<ScheduledFuture<?>> others = new ArrayList<>();
    private final List<LoopTimer> otherDeadlines = new ArrayList<>();

    @Setup(Level.Trial)
    public void setUp() {
        channel = new EmbeddedChannel();
        loop = channel.eventLoop();
        for (int i = 0; i < pending; i++) {
            others.add(loop.schedule(TimerBench::noop, 60_000 + i, TimeUnit.MILLISECONDS));
            otherDeadlines.add(LoopTimers.schedule(loop, LoopTimers.Kind.REQUEST_DEADLINE, TimerBench::noop,
                    TimeUnit.SECONDS.toNanos(10)));
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        others.forEach(f -> f.cancel(false));
        otherDeadlines.forEach(LoopTimer::cancel);
        channel.finishAndReleaseAll();
    }

    @Benchmark
    public boolean scheduleAndCancel() {
        ScheduledFuture<?> timer = loop.schedule(TimerBench::noop, 10, TimeUnit.SECONDS);
        return timer.cancel(false);
    }

    @Benchmark
    public LoopTimer loopTimersArmAndCancel() {
        LoopTimer timer = LoopTimers.schedule(loop, LoopTimers.Kind.REQUEST_DEADLINE, TimerBench::noop,
                TimeUnit.SECONDS.toNanos(10));
        timer.cancel();
        return timer;
    }

    private static void noop() {
    }
}
