package io.mistguard.proxy.classify;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.Test;

/** A repeated request field read as MistServer's {@code HTTP::Parser::GetHeader} reads it ({@link MistHeaders}). */
class MistHeadersTest {

    private static HttpHeaders headers(String... nameValues) {
        HttpHeaders headers = new DefaultHttpHeaders();
        for (int i = 0; i < nameValues.length; i += 2) {
            headers.add(nameValues[i], nameValues[i + 1]);
        }
        return headers;
    }

    @Test
    void aLaterLineOfTheSameNameReplacesAnEarlierOne() {
        assertThat(MistHeaders.get(headers("Content-Type", "a", "Content-Type", "b"), "Content-Type")).isEqualTo("b");
        assertThat(MistHeaders.get(headers("Accept", "x"), "Accept")).isEqualTo("x");
        assertThat(MistHeaders.get(headers("Accept", "x"), "Host")).isNull();
    }

    @Test
    void theExactSpellingWinsOverAnother() {
        assertThat(MistHeaders.get(headers("Content-Type", "form", "content-type", "json"), "Content-Type"))
                .isEqualTo("form");
        assertThat(MistHeaders.get(headers("content-type", "json", "Content-Type", "form"), "Content-Type"))
                .isEqualTo("form");
    }

    /** Without the exact spelling, the first other spelling in byte order ("CONTENT-TYPE" < "content-type"), its last line. */
    @Test
    void withoutTheExactSpellingTheFirstOtherSpellingInTheMapsOrder() {
        assertThat(MistHeaders.get(headers("content-type", "low1", "CONTENT-TYPE", "up", "content-type", "low2"),
                                   "Content-Type")).isEqualTo("up");
        assertThat(MistHeaders.get(headers("content-type", "low1", "content-type", "low2"), "Content-Type"))
                .isEqualTo("low2");
    }
}
