package io.mistguard.proxy.cache;

import static io.mistguard.proxy.cache.ReadRouteHarness.answer;
import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.proxy.exchange.Forwarder;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What a read route gives its calls and what it counts: the budget of a shared call and of a
 * background refresh, the cache's counters for shared calls, stale answers and misses, and the
 * route named on the answers the cache gives itself. On fake time ({@link ReadRouteHarness}).
 */
class ReadRouteAccountingTest {

    private static final String ROUTE = """
            name: get-state
            match: {commands: [active_streams, stats_streams, push_list, push_auto_list]}
            kind: read
            timeout: 3s
            per_try_timeout: 1500ms
            retry: {attempts: 1}
            breaker: none
            coalesce: COALESCE
            fresh_for: 1s
            stale: {max_age: 30s, while_revalidate: 5s}
            """;

    private static ReadRouteHarness harness(boolean coalesce) throws Exception {
        return new ReadRouteHarness(ROUTE.replace("COALESCE", String.valueOf(coalesce)));
    }

    @Test
    void aSharedCallRunsForTheRouteBudgetFromItsFirstCallersArrival() throws Exception {
        try (ReadRouteHarness h = harness(true)) {
            Forwarder.Exchange first = h.getState();
            h.advance(Duration.ofMillis(500));
            Forwarder.Exchange second = h.getState();

            ReadRouteHarness.FakeCall call = h.onlyCall();
            assertThat(call.budget).isEqualTo(Duration.ofSeconds(3).toNanos());
            call.reply("a");
            h.runPending();
            assertThat(List.of(answer(first).status(), answer(second).status())).containsOnly(200);
            assertThat(h.cache.snapshot().sharedCalls()).isEqualTo(1);
            assertThat(h.finishedClean()).isTrue();
        }
    }

    @Test
    void aBackgroundRefreshIsBoundedByThePerTryTimeout() throws Exception {
        try (ReadRouteHarness h = harness(true)) {
            h.getState();
            h.lastCall().reply("a");
            h.runPending();
            h.advance(Duration.ofSeconds(2)); // past fresh_for, within while_revalidate

            Forwarder.Exchange revalidated = h.getState();

            assertThat(answer(revalidated).decision()).startsWith("stale");
            assertThat(h.calls).hasSize(2);
            assertThat(h.lastCall().budget).isEqualTo(Duration.ofMillis(1500).toNanos());
            assertThat(h.cache.snapshot().revalidating()).isEqualTo(1);
            assertThat(h.cache.snapshot().sharedCalls()).isEqualTo(2);
            h.lastCall().reply("b");
            h.runPending();
            assertThat(h.finishedClean()).isTrue();
        }
    }

    @Test
    void staleAnswersAndMissesAreCountedAndAnEntryTooOldToServeIsDropped() throws Exception {
        try (ReadRouteHarness h = harness(true)) {
            Forwarder.Exchange first = h.getState();
            h.lastCall().reply("a");
            h.runPending();
            answer(first);
            h.advance(Duration.ofSeconds(10));

            Forwarder.Exchange stale = h.getState();
            h.lastCall().timeOut();
            h.runPending();
            assertThat(answer(stale).decision()).startsWith("stale");
            assertThat(h.cache.snapshot().stale()).isEqualTo(1);
            assertThat(h.cache.snapshot().entries()).isEqualTo(1);

            h.advance(Duration.ofSeconds(21)); // the entry is now 31s old: past stale.max_age
            Forwarder.Exchange miss = h.getState();
            h.lastCall().timeOut();
            h.runPending();

            assertThat(answer(miss).status()).isEqualTo(504);
            assertThat(h.cache.snapshot().staleMisses()).isEqualTo(1);
            assertThat(h.cache.snapshot().expired()).isEqualTo(1);
            assertThat(h.cache.snapshot().entries()).isZero();
            assertThat(h.finishedClean()).isTrue();
        }
    }

    @Test
    void aRouteThatDoesNotCoalesceMakesOneCallPerCaller() throws Exception {
        try (ReadRouteHarness h = harness(false)) {
            Forwarder.Exchange first = h.getState();
            Forwarder.Exchange second = h.getState();

            assertThat(h.calls).hasSize(2);
            h.calls.get(0).reply("a");
            h.calls.get(1).reply("b");
            h.runPending();
            assertThat(answer(first).body()).contains("\"a\"");
            assertThat(answer(second).body()).contains("\"b\"");
            assertThat(h.cache.snapshot().coalesced()).isZero();
            assertThat(h.finishedClean()).isTrue();
        }
    }

    @Test
    void anAnswerFromTheCacheNamesItsRoute() throws Exception {
        try (ReadRouteHarness h = harness(true)) {
            Forwarder.Exchange first = h.getState();
            h.lastCall().reply("a");
            h.runPending();
            answer(first);

            Forwarder.Exchange fresh = h.getState();

            assertThat(answer(fresh).route()).isEqualTo("get-state");
            assertThat(h.cache.snapshot().fresh()).isEqualTo(1);
            assertThat(h.finishedClean()).isTrue();
        }
    }

    @Test
    void aNewGoodReplyIsAnsweredRatherThanTheStoredOne() throws Exception {
        try (ReadRouteHarness h = harness(true)) {
            Forwarder.Exchange first = h.getState();
            h.lastCall().reply("old");
            h.runPending();
            answer(first);
            h.advance(Duration.ofSeconds(7)); // past fresh_for and while_revalidate: a call of its own

            Forwarder.Exchange second = h.getState();
            h.lastCall().reply("new");
            h.runPending();

            assertThat(answer(second).body()).contains("\"new\"");
            assertThat(h.cache.snapshot().stale()).isZero();
            assertThat(h.finishedClean()).isTrue();
        }
    }

    @Test
    void aStaleAnswerIsReportedWithItsAge() throws Exception {
        try (ReadRouteHarness h = harness(true)) {
            Forwarder.Exchange first = h.getState();
            h.lastCall().reply("a");
            h.runPending();
            answer(first);
            h.advance(Duration.ofSeconds(7));

            Forwarder.Exchange stale = h.getState();
            h.lastCall().timeOut();
            h.runPending();

            assertThat(answer(stale).age()).isEqualTo("7");
            assertThat(h.observed).as("the starter, then the stale caller").containsExactly("proxied", "stale");
            assertThat(h.finishedClean()).isTrue();
        }
    }

    @Test
    void aCallerWithTheRoutesWholeBudgetWaitsForTheSharedCallsOwnVerdict() throws Exception {
        try (ReadRouteHarness h = harness(true)) {
            Forwarder.Exchange caller = h.getState(); // no entry yet, so no stale answer either

            h.advance(Duration.ofSeconds(4));
            assertThat(caller.response().isDone()).as("no timer of its own: the call ends by the same time")
                                                  .isFalse();
            h.onlyCall().timeOut();
            h.runPending();

            assertThat(answer(caller).decision()).isEqualTo("rejected; reason=timeout");
            assertThat(h.finishedClean()).isTrue();
        }
    }

    /** Review of #13: a stale answer's access-log line said attempts=0 upstream_ms=0 for a call that was made. */
    @Test
    void aStaleAnswerSaysWhatTheFailedCallDidRegression() throws Exception {
        try (ReadRouteHarness h = harness(true)) {
            Forwarder.Exchange first = h.getState();
            h.lastCall().reply("a");
            h.runPending();
            answer(first);
            h.advance(Duration.ofSeconds(7));

            Forwarder.Exchange starter = h.getState();
            Forwarder.Exchange joiner = h.getState();
            h.lastCall().upstreamNanos = 4_000;
            h.lastCall().timeOut();
            h.runPending();

            ReadRouteHarness.Answer started = answer(starter);
            assertThat(started.decision()).isEqualTo("stale; reason=timeout");
            assertThat(started.attempts()).isEqualTo(1);
            assertThat(started.upstreamNanos()).isEqualTo(4_000);
            ReadRouteHarness.Answer joined = answer(joiner);
            assertThat(joined.attempts()).isEqualTo(1);
            assertThat(joined.upstreamNanos()).as("no call of its own").isZero();
            assertThat(h.finishedClean()).isTrue();
        }
    }

    @Test
    void onlyTheCallerThatStartedTheSharedCallReportsItsTimeAtMist() throws Exception {
        try (ReadRouteHarness h = harness(true)) {
            Forwarder.Exchange starter = h.getState();
            Forwarder.Exchange joiner = h.getState();
            h.onlyCall().upstreamNanos = 7_000;
            h.onlyCall().reply("a");
            h.runPending();

            assertThat(answer(starter).upstreamNanos()).isEqualTo(7_000);
            assertThat(answer(joiner).upstreamNanos()).isZero();
            Forwarder.Exchange fresh = h.getState();
            assertThat(answer(fresh).upstreamNanos()).as("answered from the store").isZero();
            assertThat(h.finishedClean()).isTrue();
        }
    }
}
