package io.mistguard.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.mistguard.proxy.classify.CommandClassifier;
import io.mistguard.proxy.config.LimitsConfig;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Coverage-guided fuzzing of the HTTP front end (issue #14): bytes from a caller, split into two
 * reads at a point the fuzzer chooses, into the client pipeline exactly as
 * {@link ProxyChannelInitializer} builds it, with a {@link FakeForwarder} in place of Mist; then time
 * runs past the request-read timeouts. Whatever the bytes, nothing throws out of the pipeline, every answer is
 * HTTP/1.1 and says how mistguard decided, and every request that reaches the forwarder is one Mist
 * and mistguard read alike: origin-form, no transfer coding or other hop-by-hop field, not
 * {@code CONNECT}/{@code TRACE}, a readable command. Netty's paranoid leak detector (and
 * {@code NettyLeakGuard}) catches any buffer the pipeline loses.
 *
 * <p>In {@code mvn verify} the seeds in {@code ProxyFrontEndFuzzTestInputs/} (the hostile cases of
 * {@code HostileInputIT}) run as regression tests, then the {@code fuzz-short} execution fuzzes
 * {@link #frontEnd} for a few seconds; {@code -Pfuzz} fuzzes {@link #frontEndLong} instead.
 */
class ProxyFrontEndFuzzTest {

    private static final java.util.List<String> HOP_BY_HOP = java.util.List.of("transfer-encoding", "te",
            "connection", "upgrade", "keep-alive", "proxy-connection");

    private static final LimitsConfig LIMITS = new LimitsConfig(512, 1024, 2048, 10, Duration.ofSeconds(60),
            Duration.ofSeconds(5), Duration.ofSeconds(5));

    @FuzzTest(maxDuration = "15s")
    @DisabledIfSystemProperty(named = "mistguard.fuzz.long", matches = "true")
    void frontEnd(byte[] data) throws Exception {
        feed(data);
    }

    @FuzzTest(maxDuration = "30m")
    @EnabledIfSystemProperty(named = "mistguard.fuzz.long", matches = "true")
    void frontEndLong(byte[] data) throws Exception {
        feed(data);
    }

    private static void feed(byte[] data) throws Exception {
        FakeForwarder forwarder = new FakeForwarder();
        ProxyServices services = new ProxyServices(new CommandClassifier(), forwarder,
                new DefaultChannelGroup(ImmediateEventExecutor.INSTANCE), new AtomicInteger());
        EmbeddedChannel channel = new EmbeddedChannel(false, false);
        channel.config().setAutoRead(false);
        channel.pipeline().addLast(new ProxyChannelInitializer(LIMITS, new ConnectionLimiter(10, new ListenerRefusals()), services));
        channel.register();
        channel.freezeTime();
        try {
            int split = data.length == 0 ? 0 : (data[0] & 0xff) % (data.length + 1);
            write(channel, data, 0, split);
            write(channel, data, split, data.length);
            // answer whatever was forwarded, in order, as Mist would
            for (int answered = 0; answered < forwarder.pending.size() && answered < 64; answered++) {
                if (!forwarder.pending.get(answered).isDone()) { // not cancelled by a close meanwhile
                    forwarder.answer(answered, "{\"LTS\":1}\n\n");
                }
            }
            // past the request-read timeouts (5 s), short of the idle timeout (60 s), which closes silently
            channel.advanceTimeBy(10, TimeUnit.SECONDS);
            channel.runScheduledPendingTasks();
            checkForwarded(forwarder);
            checkAnswers(channel);
        } finally {
            channel.finishAndReleaseAll();
        }
    }

    private static void write(EmbeddedChannel channel, byte[] data, int from, int to) {
        if (to > from && channel.isOpen()) {
            channel.writeInbound(Unpooled.wrappedBuffer(data, from, to - from));
        }
        channel.checkException();
    }

    private static void checkForwarded(FakeForwarder forwarder) {
        for (FakeForwarder.Seen seen : forwarder.seen) {
            assertThat(seen.uri()).startsWith("/");
            assertThat(seen.method()).isNotIn("CONNECT", "TRACE");
            assertThat(seen.mistRequest().unreadable()).isNull();
            // By name: a value may well contain "connection: upgrade" as text (the fuzzer wrote one).
            assertThat(seen.headerNames()).doesNotContainAnyElementsOf(HOP_BY_HOP);
        }
    }

    private static void checkAnswers(EmbeddedChannel channel) {
        StringBuilder out = new StringBuilder();
        for (Object msg; (msg = channel.readOutbound()) != null; ) {
            ByteBuf buf = (ByteBuf) msg;
            out.append(buf.toString(StandardCharsets.ISO_8859_1));
            buf.release();
        }
        // Netty's interim 100 Continue is not an answer and carries nothing; every final one must.
        String text = out.toString().replace("HTTP/1.1 100 Continue\r\n\r\n", "");
        if (!text.isEmpty()) {
            assertThat(text).startsWith("HTTP/1.1 ").contains("Mistguard-Decision: ");
        }
    }
}
