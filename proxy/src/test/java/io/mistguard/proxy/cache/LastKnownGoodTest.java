package io.mistguard.proxy.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.proxy.config.CacheConfig;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The store's rules on a fake clock: max age, LRU order, byte and entry bounds, accounting on eviction. */
class LastKnownGoodTest {

    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    private final CacheStats stats = new CacheStats();

    private static StoredReply reply(int bytes, long at) {
        return new StoredReply(new byte[bytes], "text/javascript", at);
    }

    @Test
    void anEntryOlderThanMaxAgeIsNeverServed() {
        LastKnownGood store = new LastKnownGood(new CacheConfig(1 << 20, 10), stats);
        store.put("k", reply(10, 0));

        assertThat(store.get("k", 10 * SECOND, 10 * SECOND)).isNotNull();
        assertThat(store.get("k", 10 * SECOND + 1, 10 * SECOND)).isNull();
        store.expire("k", 10 * SECOND + 1, 10 * SECOND);
        assertThat(store.size()).isZero();
        assertThat(store.bytes()).isZero();
        assertThat(stats.expired.sum()).isEqualTo(1);
    }

    @Test
    void theByteBoundEvictsTheLeastRecentlyUsedAndAccountsForIt() {
        StoredReply big = reply(400, 0);
        long weight = big.weight("a");
        LastKnownGood store = new LastKnownGood(new CacheConfig(2 * weight + 10, 10), stats);
        store.put("a", big);
        store.put("b", reply(400, 0));
        store.get("a", 0, SECOND); // a is now more recently used than b

        store.put("c", reply(400, 0));

        assertThat(store.get("b", 0, SECOND)).isNull();
        assertThat(store.get("a", 0, SECOND)).isNotNull();
        assertThat(store.get("c", 0, SECOND)).isNotNull();
        assertThat(store.size()).isEqualTo(2);
        assertThat(store.bytes()).isEqualTo(2 * weight).isLessThanOrEqualTo(2 * weight + 10);
        assertThat(stats.evicted.sum()).isEqualTo(1);
    }

    @Test
    void theEntryBoundHoldsAndReplacingAKeyKeepsOneEntry() {
        LastKnownGood store = new LastKnownGood(new CacheConfig(1 << 20, 2), stats);
        store.put("a", reply(1, 0));
        store.put("a", reply(2, 0));
        assertThat(store.size()).isEqualTo(1);
        assertThat(store.bytes()).isEqualTo(reply(2, 0).weight("a"));

        store.put("b", reply(1, 0));
        store.put("c", reply(1, 0));
        assertThat(store.size()).isEqualTo(2);
        assertThat(store.get("a", 0, SECOND)).isNull();
    }

    @Test
    void aReplyLargerThanTheWholeStoreIsNotKept() {
        LastKnownGood store = new LastKnownGood(new CacheConfig(1000, 10), stats);
        store.put("small", reply(10, 0));

        assertThat(store.put("huge", reply(2000, 0))).isFalse();
        assertThat(store.get("small", 0, SECOND)).as("nothing evicted for it").isNotNull();
        assertThat(stats.tooLarge.sum()).isEqualTo(1);
    }

    @Test
    void anEntryExactlyMaxAgeOldIsServedAndNotExpired() {
        LastKnownGood store = new LastKnownGood(new CacheConfig(1 << 20, 10), stats);
        assertThat(store.put("k", reply(10, 0))).isTrue();

        store.expire("k", 10 * SECOND, 10 * SECOND);

        assertThat(store.size()).isEqualTo(1);
        assertThat(stats.expired.sum()).isZero();
        assertThat(stats.stored.sum()).isEqualTo(1);
    }

    @Test
    void entriesThatExactlyFillTheByteBoundAreAllKept() {
        StoredReply one = reply(100, 0);
        long weight = one.weight("a");
        LastKnownGood store = new LastKnownGood(new CacheConfig(2 * weight, 10), stats);

        assertThat(store.put("a", one)).isTrue();
        assertThat(store.put("b", reply(100, 0))).isTrue();

        assertThat(store.size()).isEqualTo(2);
        assertThat(store.bytes()).isEqualTo(2 * weight);
        assertThat(stats.evicted.sum()).isZero();
    }

    @Test
    void aReplyWeighingExactlyTheWholeStoreIsKept() {
        StoredReply reply = reply(100, 0);
        LastKnownGood store = new LastKnownGood(new CacheConfig(reply.weight("k"), 10), stats);

        assertThat(store.put("k", reply)).isTrue();
        assertThat(stats.tooLarge.sum()).isZero();
    }
}
