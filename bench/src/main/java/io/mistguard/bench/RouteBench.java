package io.mistguard.bench;

import io.mistguard.proxy.classify.CommandClassifier;
import io.mistguard.proxy.classify.MistRequest;
import io.mistguard.proxy.route.RouteTable;
import io.netty.buffer.Unpooled;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link RouteTable#indexOf} over the shipped route table, for a request that matches the first
 * route (GetState), one that falls through every route to the catch-all, one that matches on exact
 * command text (config-read, which compacts the command) and a queued one.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Benchmark)
public class RouteBench {

    private final RouteTable table = new RouteTable(ShippedConfig.policy().routes());
    private final MistRequest getState = Requests.getState();
    private final MistRequest smallGet = Requests.smallGet();
    private final MistRequest configRead = new CommandClassifier()
            .classify("GET", Requests.CONFIG_READ_QUERY, null, Unpooled.EMPTY_BUFFER);
    private final MistRequest invalidate = new CommandClassifier()
            .classify("POST", "/api2", "application/json", Requests.body(Requests.INVALIDATE_JSON));

    @Benchmark
    public int getState() {
        return table.indexOf(getState);
    }

    @Benchmark
    public int catchAll() {
        return table.indexOf(smallGet);
    }

    @Benchmark
    public int configReadExactCommand() {
        return table.indexOf(configRead);
    }

    @Benchmark
    public int invalidateSessions() {
        return table.indexOf(invalidate);
    }
}
