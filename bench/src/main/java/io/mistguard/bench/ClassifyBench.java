package io.mistguard.bench;

import io.mistguard.proxy.classify.CommandClassifier;
import io.mistguard.proxy.classify.MistRequest;
import io.netty.buffer.ByteBuf;
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
 * {@link CommandClassifier#classify}: the per-request work of finding Mist's command and its
 * top-level keys. Run with {@code -prof gc} to see the bytes allocated per call.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Benchmark)
public class ClassifyBench {

    private final CommandClassifier classifier = new CommandClassifier();
    private final ByteBuf getStateBody = Requests.body(Requests.GETSTATE_FORM);
    private final ByteBuf invalidateBody = Requests.body(Requests.INVALIDATE_JSON);

    /** The catch-all case: a GET with no command, no body. */
    @Benchmark
    public MistRequest smallGet() {
        return classifier.classify("GET", "/small", null, Unpooled.EMPTY_BUFFER);
    }

    /** catalyst's GetState: form body, url-decoding, JSON keys. */
    @Benchmark
    public MistRequest getStateForm() {
        return classifier.classify("POST", "/api2", Requests.FORM, getStateBody);
    }

    /** A JSON body ({@code Content-Type: application/json}). */
    @Benchmark
    public MistRequest invalidateJson() {
        return classifier.classify("POST", "/api2", "application/json", invalidateBody);
    }

    /** A command in the query string. */
    @Benchmark
    public MistRequest configReadQuery() {
        return classifier.classify("GET", Requests.CONFIG_READ_QUERY, null, Unpooled.EMPTY_BUFFER);
    }
}
