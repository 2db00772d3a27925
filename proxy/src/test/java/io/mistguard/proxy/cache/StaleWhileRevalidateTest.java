package io.mistguard.proxy.cache;

import static io.mistguard.proxy.cache.ReadRouteHarness.answer;
import static io.mistguard.proxy.cache.ReadRouteHarness.mistReply;
import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.proxy.cache.ReadRouteHarness.Answer;
import io.mistguard.proxy.exchange.Forwarder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code fresh_for} and {@code stale.while_revalidate} on fake time: which age gets which answer,
 * that one background refresh runs however many callers arrive, and what it leaves in the store.
 */
@Timeout(10) // fake time: a hang here is a spinning loop, never a slow machine
class StaleWhileRevalidateTest {

    private static final String ROUTE = """
            name: get-state
            match: {commands: [active_streams, stats_streams, push_list, push_auto_list]}
            kind: read
            timeout: 2s
            retry: {attempts: 1}
            breaker: none
            coalesce: COALESCE
            fresh_for: 1s
            stale: {max_age: 30s, while_revalidate: 5s}
            """;

    private static ReadRouteHarness harness(boolean coalesce) throws Exception {
        return new ReadRouteHarness(ROUTE.replace("COALESCE", String.valueOf(coalesce)));
    }

    /** Stores reply {@code tag}, received at the clock's current reading. */
    private static void prime(ReadRouteHarness h, String tag) {
        Forwarder.Exchange first = h.getState();
        h.lastCall().reply(tag);
        assertThat(answer(first).decision()).isEqualTo("proxied");
    }

    @ParameterizedTest(name = "age {0} -> {1}")
    @CsvSource({"0ms, cached", "1s, cached", "1000000001ns, revalidating", "6s, revalidating", "6000000001ns, waits"})
    void theAgeOfTheEntryDecidesTheAnswer(String age, String expected) throws Exception {
        try (ReadRouteHarness h = harness(true)) {
            prime(h, "old");
            h.advance(parse(age));

            Forwarder.Exchange caller = h.getState();

            switch (expected) {
                case "cached" -> {
                    Answer a = answer(caller);
                    assertThat(a.decision()).isEqualTo("cached");
                    assertThat(a.cacheStatus()).isEqualTo("mistguard; hit");
                    assertThat(a.body()).isEqualTo(mistReply("old"));
                    assertThat(h.calls).hasSize(1);
                }
                case "revalidating" -> {
                    Answer a = answer(caller);
                    assertThat(a.decision()).isEqualTo("stale; reason=revalidating");
                    assertThat(a.cacheStatus()).isEqualTo("mistguard; hit; detail=revalidating");
                    assertThat(a.body()).isEqualTo(mistReply("old"));
                    assertThat(h.calls).as("one background refresh").hasSize(2);
                    h.lastCall().reply("new");
                }
                default -> { // past fresh_for + while_revalidate: the caller waits for Mist
                    assertThat(caller.response().isDone()).isFalse();
                    assertThat(h.calls).hasSize(2);
                    h.lastCall().reply("new");
                    Answer a = answer(caller);
                    assertThat(a.decision()).isEqualTo("proxied");
                    assertThat(a.body()).isEqualTo(mistReply("new"));
                }
            }
            assertThat(h.finishedClean()).isTrue();
        }
    }

    @ParameterizedTest(name = "coalesce: {0}")
    @ValueSource(booleans = {true, false})
    void manyCallersPastFreshForAreAnsweredAtOnceAndStartExactlyOneRefresh(boolean coalesce) throws Exception {
        try (ReadRouteHarness h = harness(coalesce)) {
            int second = h.loop();
            prime(h, "old");
            h.advance(Duration.ofMillis(1500));

            List<Forwarder.Exchange> callers = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                callers.add(h.getState(i % 2 == 0 ? 0 : second, h.config.timeout()));
                h.advance(Duration.ofMillis(10)); // arriving over half a second, refresh still in flight
            }

            assertThat(h.calls).as("the first call plus one refresh").hasSize(2);
            for (Forwarder.Exchange caller : callers) {
                Answer a = answer(caller);
                assertThat(a.decision()).isEqualTo("stale; reason=revalidating");
                assertThat(a.body()).isEqualTo(mistReply("old"));
                assertThat(a.age()).isEqualTo("1"); // 1.5 s to 2 s old, in whole seconds
            }
            assertThat(h.cache.snapshot().revalidating()).isEqualTo(50);
            assertThat(h.cache.inFlight()).isEqualTo(1);

            h.lastCall().reply("new");
            assertThat(h.cache.inFlight()).isZero();
            Answer after = answer(h.getState());
            assertThat(after.decision()).as("the refreshed entry is fresh").isEqualTo("cached");
            assertThat(after.body()).isEqualTo(mistReply("new"));
            assertThat(after.age()).isEqualTo("0");
            assertThat(h.calls).hasSize(2);
            assertThat(h.finishedClean()).isTrue();
        }
    }

    @Test
    void aRefreshThatFailsKeepsTheOldEntryAndTheNextCallerStartsAnotherRefresh() throws Exception {
        try (ReadRouteHarness h = harness(true)) {
            prime(h, "old");
            h.advance(Duration.ofSeconds(2));
            assertThat(answer(h.getState()).decision()).isEqualTo("stale; reason=revalidating");
            h.lastCall().timeOut();

            Answer again = answer(h.getState());
            assertThat(again.decision()).isEqualTo("stale; reason=revalidating");
            assertThat(again.body()).isEqualTo(mistReply("old"));
            assertThat(again.age()).isEqualTo("2");
            assertThat(h.calls).as("first call, failed refresh, second refresh").hasSize(3);
            h.lastCall().reply("new");
            assertThat(answer(h.getState()).body()).isEqualTo(mistReply("new"));
            assertThat(h.finishedClean()).isTrue();
        }
    }

    @Test
    void aCallerThatJoinsTheRefreshAndGoesAwayDoesNotCancelIt() throws Exception {
        try (ReadRouteHarness h = harness(true)) {
            prime(h, "old");
            h.advance(Duration.ofMillis(1500));
            assertThat(answer(h.getState()).decision()).isEqualTo("stale; reason=revalidating");
            FakeCallRef refresh = new FakeCallRef(h);
            h.advance(Duration.ofMillis(4600)); // 6.1 s old: past the window, so this caller joins the refresh

            Forwarder.Exchange joiner = h.getState();
            assertThat(joiner.response().isDone()).isFalse();
            assertThat(h.calls).hasSize(2);
            joiner.cancel();
            h.runPending();

            assertThat(answer(joiner).status()).isEqualTo(503);
            assertThat(refresh.call.cancelled()).as("the refresh keeps running for the next poll").isFalse();
            refresh.call.reply("new");
            assertThat(answer(h.getState()).decision()).isEqualTo("cached");
            assertThat(h.finishedClean()).isTrue();
        }
    }

    @Test
    void freshForAloneAnswersFromTheStoreThenAsksMistAgain() throws Exception {
        try (ReadRouteHarness h = new ReadRouteHarness(ROUTE.replace("COALESCE", "false")
                .replace("stale: {max_age: 30s, while_revalidate: 5s}\n", ""))) {
            prime(h, "first");
            for (int i = 0; i < 10; i++) {
                h.advance(Duration.ofMillis(100));
                assertThat(answer(h.getState()).decision()).isEqualTo("cached");
            }
            assertThat(h.calls).hasSize(1);
            assertThat(h.cache.snapshot().fresh()).isEqualTo(10);

            h.advance(Duration.ofNanos(1)); // 1 s + 1 ns old
            Forwarder.Exchange after = h.getState();
            assertThat(after.response().isDone()).isFalse();
            assertThat(h.calls).hasSize(2);
            h.lastCall().reply("second");
            assertThat(answer(after).decision()).isEqualTo("proxied");
            assertThat(answer(h.getState()).body()).isEqualTo(mistReply("second"));
            assertThat(h.finishedClean()).isTrue();
        }
    }

    /** The most recent call at construction time, kept for assertions after more calls start. */
    private record FakeCallRef(ReadRouteHarness.FakeCall call) {
        FakeCallRef(ReadRouteHarness h) {
            this(h.lastCall());
        }
    }

    private static Duration parse(String text) {
        if (text.endsWith("ns")) {
            return Duration.ofNanos(Long.parseLong(text.substring(0, text.length() - 2)));
        }
        if (text.endsWith("ms")) {
            return Duration.ofMillis(Long.parseLong(text.substring(0, text.length() - 2)));
        }
        return Duration.ofSeconds(Long.parseLong(text.substring(0, text.length() - 1)));
    }
}
