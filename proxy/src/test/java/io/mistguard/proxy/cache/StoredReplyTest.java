package io.mistguard.proxy.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** What an entry weighs against {@code cache.max_bytes}: body bytes, two bytes per key and type char, overhead. */
class StoredReplyTest {

    @Test
    void anEntryWeighsItsBodyItsStringsAndItsBookkeeping() {
        StoredReply reply = new StoredReply(new byte[100], "text/javascript", 0);

        assertThat(reply.weight("key12")).isEqualTo(100 + 2 * 5 + 2 * ("Content-Type".length() + 15)
                                                    + StoredReply.FIELD_OVERHEAD_BYTES + StoredReply.OVERHEAD_BYTES);
    }

    @Test
    void mistsFieldsAreKeptInOrderAndOnlyTheFramingOnesDropped() {
        io.netty.handler.codec.http.HttpHeaders mist = new io.netty.handler.codec.http.DefaultHttpHeaders()
                .add("Content-Type", "text/javascript").add("Server", "MistServer/3.10")
                .add("Access-Control-Allow-Origin", "*").add("Content-Length", "42")
                .add("Connection", "keep-alive").add("Transfer-Encoding", "chunked").add("Keep-Alive", "timeout=5");

        StoredReply reply = StoredReply.of(new byte[42], mist, 0);

        assertThat(reply.headers()).extracting(java.util.Map.Entry::getKey)
                                   .containsExactly("Content-Type", "Server", "Access-Control-Allow-Origin");
        assertThat(reply.contentType()).isEqualTo("text/javascript");
        assertThatThrownBy(() -> reply.headers().add(java.util.Map.entry("X", "y")))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void aReplyWithoutContentTypeWeighsNothingForIt() {
        StoredReply reply = new StoredReply(new byte[7], (String) null, 0);

        assertThat(reply.weight("k")).isEqualTo(7 + 2 + StoredReply.OVERHEAD_BYTES);
    }

    @Test
    void ageCountsFromWhenTheReplyArrived() {
        assertThat(new StoredReply(new byte[0], (String) null, 1_000).ageNanos(4_500)).isEqualTo(3_500);
    }
}
