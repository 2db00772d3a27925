package io.mistguard.proxy.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.proxy.exchange.Decisions;
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
            "200 | proxied                    | GOOD      | true  | -               | true",
            "200 | proxied                    | CHALLENGE | true  | malformed-reply | false",
            "200 | proxied                    | # HELP    | false | -               | true",
            "500 | proxied                    | GOOD      | true  | upstream-5xx    | false",
            "499 | proxied                    | GOOD      | true  | -               | false",
            "404 | proxied                    | GOOD      | false | -               | false",
            "504 | rejected; reason=timeout   | timed out | true  | timeout         | false",
            "503 | rejected; reason=breaker-open | open   | true  | breaker-open    | false",
    })
    void anAnswerIsKeptFailedOrPassedThrough(int status, String decision, String body, boolean command,
                                             String failure, boolean kept) {
        String text = body.equals("GOOD") ? GOOD : body.equals("CHALLENGE") ? CHALLENGE : body;
        FullHttpResponse answer = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status),
                Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
        answer.headers().set(Decisions.HEADER, decision).set(HttpHeaderNames.CONTENT_TYPE, "text/javascript");

        SharedResult result = SharedResult.of(answer, command, 42);

        assertThat(answer.refCnt()).as("taken apart and released").isZero();
        assertThat(result.status()).isEqualTo(status);
        assertThat(new String(result.body(), StandardCharsets.UTF_8)).isEqualTo(text);
        assertThat(result.failure()).isEqualTo(failure.equals("-") ? null : failure);
        assertThat(result.good() != null).isEqualTo(kept);
        assertThat(result.proxied()).isEqualTo(decision.equals(Decisions.PROXIED));
        if (kept) {
            assertThat(result.good().contentType()).isEqualTo("text/javascript");
            assertThat(result.good().storedAt()).isEqualTo(42);
        }
    }
}
