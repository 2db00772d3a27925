package io.mistguard.proxy.server;

import ch.qos.logback.classic.Level;
import io.mistguard.proxy.classify.CommandClassifier;
import io.mistguard.proxy.config.LimitsConfig;
import io.mistguard.proxy.config.TrustedPeers;
import io.mistguard.proxy.logging.LogCapture;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.netty.util.concurrent.MockTicker;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One client connection of the proxy listener on an {@link EmbeddedChannel}: the whole pipeline
 * ({@link ProxyChannelInitializer}) in front of a {@link FakeForwarder}, with the access log
 * captured and refusals counted. Raw bytes in, raw bytes out. For one test; close it after.
 */
final class EmbeddedProxyListener implements AutoCloseable {

    final FakeForwarder forwarder = new FakeForwarder();
    final ListenerRefusals refusals = new ListenerRefusals();
    final LogCapture accessLog = LogCapture.of("mistguard.access", Level.INFO);
    final EmbeddedChannel channel;
    /** Requests forwarded and not yet answered and written ({@code ProxyServer.inFlight}). */
    final AtomicInteger inFlight = new AtomicInteger();

    EmbeddedProxyListener(LimitsConfig limits) throws Exception {
        this(limits, new EmbeddedChannel(false, false));
    }

    /** On the fake clock {@code time}: the read timers run as a test advances it. */
    EmbeddedProxyListener(LimitsConfig limits, MockTicker time) throws Exception {
        this(limits, EmbeddedChannel.builder().ticker(time).register(false).hasDisconnect(false).build());
    }

    private EmbeddedProxyListener(LimitsConfig limits, EmbeddedChannel channel) throws Exception {
        this.channel = channel;
        ProxyServices services = new ProxyServices(new CommandClassifier(), forwarder,
                new DefaultChannelGroup(ImmediateEventExecutor.INSTANCE), inFlight, true,
                TrustedPeers.defaults(), null, refusals);
        channel.pipeline().addLast(new ProxyChannelInitializer(limits, new ConnectionLimiter(10, refusals), services));
        channel.register();
    }

    void send(String raw) {
        channel.writeInbound(Unpooled.copiedBuffer(raw, StandardCharsets.ISO_8859_1));
    }

    /** Everything written to the caller since the last call, as bytes on the wire. */
    String written() {
        StringBuilder out = new StringBuilder();
        ByteBuf buf;
        while ((buf = channel.readOutbound()) != null) {
            out.append(buf.toString(StandardCharsets.ISO_8859_1));
            buf.release();
        }
        return out.toString();
    }

    /** Stops capturing the log; whether anything was left unread or unreleased in the channel. */
    @Override
    public void close() {
        accessLog.close();
        if (channel.finishAndReleaseAll()) {
            throw new AssertionError("something was left unread or unreleased in the channel");
        }
    }
}
