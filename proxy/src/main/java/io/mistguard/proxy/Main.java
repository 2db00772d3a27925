package io.mistguard.proxy;

import io.mistguard.proxy.cli.EarlySignals;
import io.mistguard.proxy.cli.RunCommand;
import java.util.Properties;
import picocli.CommandLine;

/**
 * Entry point of {@code mistguard.jar}: holds SIGHUP, SIGINT and SIGTERM, sets mistguard's defaults for
 * Netty, then hands the arguments to the command line parser.
 */
public final class Main {

    /**
     * Netty's leak detector (level {@code simple} unless set) records a stack trace when a sampled
     * buffer (1 in {@value #LEAK_SAMPLING_INTERVAL} here, see {@link #LEAK_SAMPLING}) is made, to say
     * where a leaked one came from, and by default another when it is released. Leak reports never
     * show the release trace (a released buffer is no longer tracked); it shows only as a suppressed
     * exception of an {@code IllegalReferenceCountException} when a sampled buffer is released twice
     * or used after release. Off by default here: on the small-GET pass-through these release traces
     * were ~half of all the CPU spent filling stack traces (async-profiler,
     * {@code deploy/bench/profile.sh}). Set it to {@code true} when chasing a reference-count error.
     */
    static final String LEAK_TRACK_CLOSE = "io.netty.leakDetection.trackClose";
    /**
     * How many buffers Netty's leak detector (levels {@code simple} and {@code advanced}) makes per
     * one it tracks: 1 in {@value #LEAK_SAMPLING_INTERVAL} here, against Netty's 1 in 128. Each
     * tracked buffer costs a stack trace when it is made; at 1 in 128 that was ~0.8 µs per small-GET
     * pass-through, ~2% of its CPU ({@code ResourceLeakDetector.track0} in
     * {@code deploy/bench/profile.sh}'s cpu profile, 2026-12-03). A leak on a path every request takes
     * is still reported within seconds under load; a rare one takes 8× as many buffers to be seen.
     * Set it (or {@code io.netty.leakDetection.level=paranoid}, which tracks every buffer) when
     * chasing a leak.
     */
    static final String LEAK_SAMPLING = "io.netty.leakDetection.samplingInterval";
    static final int LEAK_SAMPLING_INTERVAL = 1024;
    /**
     * Netty's Java Flight Recorder events for its buffer allocator. When they are on (Netty's default
     * wherever JFR is available), the first buffer allocated registers them with JFR, which loads and
     * starts JFR's own machinery: ~100 ms of one core on the first request ({@code /healthz}
     * included) and ~4 MiB of RSS (async-profiler from JVM start, {@code deploy/bench/startup.sh}).
     * Off by default here; they only matter to someone recording JFR with them enabled.
     */
    static final String NETTY_JFR = "io.netty.jfr.enabled";
    /**
     * Lets Netty make its direct buffers itself and count them against {@code -XX:MaxDirectMemorySize}
     * (its "no-cleaner" buffers), with the {@code Add-Opens: java.base/java.nio} of the jar's
     * manifest. Without both, on Java 9 and later, Netty takes each direct buffer from the JDK's
     * {@code ByteBuffer.allocateDirect}, which, when direct memory runs short, runs
     * {@code System.gc()} (a full collection with SerialGC) and then sleeps and retries for up to
     * about half a second: on the event loop, stalling every connection it serves (found by review
     * with 60 slow 1 MiB request bodies under the image's 32 MiB; BlockHound caught the sleep in
     * {@code DirectMemoryShortageNeverBlocksAnEventLoopRegressionIT}). With it, a shortage fails the
     * allocation at once ({@code OutOfDirectMemoryError}), which mistguard answers 503
     * {@code out-of-memory}, and buffers are freed when released instead of by the garbage collector.
     */
    static final String NETTY_NO_CLEANER = "io.netty.tryReflectionSetAccessible";

    private Main() {
    }

    /**
     * Holds the signals first ({@link EarlySignals}), then runs the command line. A signal that came
     * while a command that never took it over ran ({@code check-config}, {@code --help}) ends a command
     * that succeeded with the status the JVM's default would have given (129, 130, 143); a failed one
     * keeps its own status.
     */
    public static void main(String[] args) {
        EarlySignals signals = EarlySignals.begin(); // first: the JVM's defaults would end a starting sidecar
        nettyDefaults(System.getProperties());
        int status = RunCommand.commandLine(signals).execute(args);
        int held = signals.release();
        System.exit(held != 0 && status == 0 ? held : status);
    }

    /**
     * Sets mistguard's defaults for Netty's system properties that the operator did not set
     * ({@code -D} on the command line wins). Must run before Netty's classes are initialised, which
     * read them once. Public for the bench's floor proxies ({@code deploy/bench/Netty*FloorProxy.java}),
     * which must pay the same leak detector as mistguard.
     */
    public static void nettyDefaults(Properties properties) {
        properties.putIfAbsent(LEAK_TRACK_CLOSE, "false");
        properties.putIfAbsent(LEAK_SAMPLING, Integer.toString(LEAK_SAMPLING_INTERVAL));
        properties.putIfAbsent(NETTY_JFR, "false");
        properties.putIfAbsent(NETTY_NO_CLEANER, "true");
    }
}
