package io.mistguard.proxy.cache;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What an entry weighs against {@code cache.max_bytes}: body bytes, two bytes per key and type char, overhead. */
class StoredReplyTest {

    @Test
    void anEntryWeighsItsBodyItsStringsAndItsBookkeeping() {
        StoredReply reply = new StoredReply(new byte[100], "text/javascript", 0);

        assertThat(reply.weight("key12")).isEqualTo(100 + 2 * 5 + 2 * 15 + StoredReply.OVERHEAD_BYTES);
    }

    @Test
    void aReplyWithoutContentTypeWeighsNothingForIt() {
        StoredReply reply = new StoredReply(new byte[7], null, 0);

        assertThat(reply.weight("k")).isEqualTo(7 + 2 + StoredReply.OVERHEAD_BYTES);
    }

    @Test
    void ageCountsFromWhenTheReplyArrived() {
        assertThat(new StoredReply(new byte[0], null, 1_000).ageNanos(4_500)).isEqualTo(3_500);
    }
}
