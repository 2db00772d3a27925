package io.mistguard.proxy.trigger;

import static io.mistguard.proxy.trigger.TriggerHarness.result;
import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.proxy.config.HostPort;
import io.mistguard.proxy.config.TriggerFallback;
import io.mistguard.proxy.config.TriggerPolicy;
import io.mistguard.proxy.config.TriggersConfig;
import io.mistguard.proxy.upstream.UpstreamFailure;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Regression (found by review): the {@code last-known} key was the payload decoded as UTF-8, which
 * turns every byte that is not UTF-8 into the one replacement character U+FFFD. Two payloads that
 * differ only in such bytes — a {@code PUSH_REWRITE} push URL is whatever an RTMP client sent — had
 * the same key, and one got the answer catalyst-api had given the other. The key now keeps every
 * byte (ISO-8859-1, one character per byte), so different bytes never make the same key.
 */
class NonUtf8PayloadsShareALastKnownAnswerRegressionTest {

    private static final TriggerPolicy PUSH_REWRITE = new TriggerPolicy(true, Duration.ofSeconds(1),
            TriggerFallback.LAST_KNOWN, TriggerFallback.EMPTY, Duration.ofMinutes(10), List.of(0, 2));

    private static TriggersConfig config() {
        return TriggersConfig.defaults().withListen(new HostPort("127.0.0.1", 0)).withPolicy("PUSH_REWRITE", PUSH_REWRITE);
    }

    /** PUSH_REWRITE's payload: push URL, client host, stream name; the URL ends in {@code key}. */
    private static byte[] push(int keyByte) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes("rtmp://ingest/live/abc".getBytes(StandardCharsets.US_ASCII));
        out.write(keyByte);
        out.writeBytes("\n10.0.0.9\nlive".getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    @Test
    void anAnswerStoredForOnePushUrlIsNotGivenToAnotherThatDiffersInANonUtf8Byte() {
        try (TriggerHarness h = new TriggerHarness(config())) {
            TriggerService.Exchange first = h.sendBytes("PUSH_REWRITE", push(0xff));
            h.last().answer(200, "video+owner");
            h.runPending();
            assertThat(result(first).body()).isEqualTo("video+owner");

            TriggerService.Exchange other = h.sendBytes("PUSH_REWRITE", push(0xfe));
            h.last().fail(UpstreamFailure.CONNECT_REFUSED);
            h.runPending();

            assertThat(result(other)).as("another push URL: nothing stored for it, so the push is refused")
                    .isEqualTo(new TriggerHarness.Result(200, "", "fallback; reason=connect-refused", 1));
        }
    }

    @Test
    void theSamePayloadBytesStillFindTheirStoredAnswer() {
        try (TriggerHarness h = new TriggerHarness(config())) {
            TriggerService.Exchange first = h.sendBytes("PUSH_REWRITE", push(0xff));
            h.last().answer(200, "video+owner");
            h.runPending();
            result(first);

            TriggerService.Exchange again = h.sendBytes("PUSH_REWRITE", push(0xff));
            h.last().fail(UpstreamFailure.CONNECT_REFUSED);
            h.runPending();

            assertThat(result(again).decision()).isEqualTo("last-known; reason=connect-refused");
        }
    }

    @Test
    void keysOfPayloadsThatDifferInAnyByteDiffer() {
        for (List<Integer> lines : List.of(List.<Integer>of(), List.of(0, 2))) {
            assertThat(TriggerAnswers.key("PUSH_REWRITE", Unpooled.wrappedBuffer(push(0xff)), lines))
                    .isNotEqualTo(TriggerAnswers.key("PUSH_REWRITE", Unpooled.wrappedBuffer(push(0xfe)), lines))
                    .isNotEqualTo(TriggerAnswers.key("PUSH_REWRITE", Unpooled.wrappedBuffer(push(0xc3)), lines));
        }
    }
}
