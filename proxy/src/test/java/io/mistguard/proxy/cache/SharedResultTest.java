package io.mistguard.proxy.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.proxy.exchange.Answer;
import io.mistguard.proxy.exchange.Decision;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What one shared call's answer means for the cache: kept, failed (and why) or passed through, as a
 * table of answers. {@code -} stands for none.
 */
class SharedResultTest {

    private static final String GOOD = "{\"authorize\":{\"local\":true,\"status\":\"OK\"}}";
    private static final String CHALLENGE = "{\"authorize\":{\"status\":\"CHALL\",\"challenge\":\"x\"}}";

    @ParameterizedTest(name = "{0} {1} \"{2}\" (command: {3}) -> failure {4}, kept {5}")
    @CsvSource(delimiter = '|', value = {
            "200 | PROXIED                    | GOOD      | true  | -               | true",
            "200 | PROXIED                    | CHALLENGE | true  | malformed-reply | false",
            "200 | PROXIED                    | # HELP    | false | -               | true",
            "500 | PROXIED                    | GOOD      | true  | upstream-5xx    | false",
            "499 | PROXIED                    | GOOD      | true  | -               | false",
            "404 | PROXIED                    | GOOD      | false | -               | false",
            "504 | TIMEOUT                    | timed out | true  | timeout         | false",
            "503 | BREAKER_OPEN               | open   | true  | breaker-open    | false",
    })
    void anAnswerIsKeptFailedOrPassedThrough(int status, Decision decision, String body, boolean command,
                                             String failure, boolean kept) {
        String text = body.equals("GOOD") ? GOOD : body.equals("CHALLENGE") ? CHALLENGE : body;
        FullHttpResponse answer = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status),
                Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
        answer.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/javascript");

        SharedResult result = SharedResult.of(Answer.of(answer, decision).withAttempts(2, 900), command, 42);

        assertThat(answer.refCnt()).as("taken apart and released").isZero();
        assertThat(result.status()).isEqualTo(status);
        assertThat(new String(result.body(), StandardCharsets.UTF_8)).isEqualTo(text);
        assertThat(result.failure() == null ? "-" : result.failure().token()).isEqualTo(failure);
        assertThat(result.decision()).isEqualTo(decision);
        assertThat(result.attempts()).isEqualTo(2);
        assertThat(result.upstreamNanos()).isEqualTo(900);
        assertThat(result.good() != null).isEqualTo(kept);
        assertThat(result.proxied()).isEqualTo(decision == Decision.PROXIED);
        if (kept) {
            assertThat(result.good().contentType()).isEqualTo("text/javascript");
            assertThat(result.good().storedAt()).isEqualTo(42);
        }
    }
}
