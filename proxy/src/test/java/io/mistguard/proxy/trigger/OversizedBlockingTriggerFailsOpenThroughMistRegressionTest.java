package io.mistguard.proxy.trigger;

import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.proxy.config.HostPort;
import io.mistguard.proxy.config.TriggerFallback;
import io.mistguard.proxy.config.TriggerPolicy;
import io.mistguard.proxy.config.TriggersConfig;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Regression (found by review): a blocking trigger whose payload was over
 * {@code triggers.max_request_bytes} was answered {@code 413}. Mist counts any non-200 as a failed
 * attempt and ignores its body; after 5 attempts it uses the trigger's default, {@code true}
 * (mist-api.md §5). So a viewer whose request URL (USER_NEW's payload line 4, which the viewer
 * chooses) made the payload too large was let in after ~25 s even with {@code otherwise: deny}:
 * fail-closed turned into fail-open by the listener's own refusal. A blocking trigger too large to
 * read now gets {@code 200} and an empty body, which opens nothing for any trigger (a refusal, or
 * "keep the configured source"), {@code fallback; reason=body-too-large}, and the connection is
 * closed as before. Not the policy's own fallback: a second review found that with the shipped
 * {@code otherwise: allow} that let such a viewer in at once. A non-blocking trigger, whose answer
 * Mist does not read, still gets its 413.
 */
class OversizedBlockingTriggerFailsOpenThroughMistRegressionTest {

    private static TriggersConfig config(TriggerFallback otherwise) {
        return TriggersConfig.defaults().withListen(new HostPort("127.0.0.1", 0)).withPolicy("USER_NEW",
                new TriggerPolicy(true, Duration.ofSeconds(1), TriggerFallback.LAST_KNOWN, otherwise,
                                  Duration.ofMinutes(10), List.of(0, 5)));
    }

    @ParameterizedTest
    @CsvSource({"DENY, USER_NEW, 200, '', fallback; reason=body-too-large, USER_NEW fallback body-too-large",
                "ALLOW, USER_NEW, 200, '', fallback; reason=body-too-large, USER_NEW fallback body-too-large",
                "DENY, CONN_OPEN, 200, '', fallback; reason=body-too-large, other fallback body-too-large",
                "DENY, PUSH_END, 413, '', rejected; reason=body-too-large, PUSH_END body-too-large"})
    void anOversizedTriggerIsAnsweredAsMistCanUseIt(TriggerFallback otherwise, String trigger, int status, String body,
                                                     String decision, String counted) {
        try (TriggerHarness h = new TriggerHarness(config(otherwise))) {
            EmbeddedChannel server = EmbeddedChannel.builder().ticker(h.time).handlers(new ChannelInitializer<>() {
                @Override
                protected void initChannel(io.netty.channel.Channel ch) {
                    TriggerServer.addHandlers(ch.pipeline(), h.service, 1024, false);
                }
            }).build();
            EmbeddedChannel mist = new EmbeddedChannel(new HttpClientCodec(), new HttpObjectAggregator(1 << 20));
            String payload = "video+s1\n10.0.0.7\n42\nHLS\nhttp://x/hls/s1/index.m3u8?pad=" + "x".repeat(1100) + "\nsess-1";
            server.writeInbound(Unpooled.copiedBuffer("POST /api/mist/trigger HTTP/1.1\r\nHost: x\r\nX-Trigger: " + trigger
                    + "\r\nContent-Length: " + payload.length() + "\r\n\r\n" + payload, StandardCharsets.ISO_8859_1));
            server.runPendingTasks();
            ByteBuf out;
            while ((out = server.readOutbound()) != null) {
                mist.writeInbound(out);
            }
            FullHttpResponse r = mist.readInbound();
            try {
                assertThat(r.status().code()).isEqualTo(status);
                assertThat(r.headers().get("Mistguard-Decision")).isEqualTo(decision);
                assertThat(r.headers().get("Connection")).isEqualTo("close");
                if (status == 200) {
                    assertThat(r.content().toString(StandardCharsets.UTF_8)).isEqualTo(body);
                }
            } finally {
                r.release();
            }
            assertThat(h.calls).as("never forwarded").isEmpty();
            assertThat(h.answered).containsExactly(counted);
            assertThat(server.finishAndReleaseAll()).isFalse();
            assertThat(mist.finishAndReleaseAll()).isFalse();
        }
    }
}
