package io.mistguard.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.sim.fault.FaultRule;
import io.mistguard.sim.junit.SimMistExtension;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What real Mist 3.10 does with HTTP framing that a proxy must survive (mist-api.md §8), against
 * sim-mist, which now does the same: it serves one request per socket read (so pipelining stalls),
 * answers {@code HEAD} with a full body, answers a bad {@code Authorization: json} header with a 403
 * that has no length and never closes, and closes the connection after its web UI page.
 */
class MistFramingQuirksRegressionIT {

    @RegisterExtension
    static final SimMistExtension MIST = SimMistExtension.with(b -> b.streams(2, 1).upstreamMist310());

    @Test
    void mistguardNeverPipelinesToMistEvenWhenItsCallersDo() throws Exception {
        try (TestProxy proxy = TestProxy.inFrontOf(MIST.get().port(), Duration.ofSeconds(5))) {
            List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                calls.add(proxy.http.sendAsync(PolicyProxies.command(proxy, i % 2 == 0 ? MistCommands.GET_STATE
                        : "{\"push_list\":true}"), HttpResponse.BodyHandlers.ofString()));
            }
            try (RawHttpConnection pipelining = new RawHttpConnection(proxy.mistguard.proxyAddress().getPort())) {
                pipelining.send(RawHttpConnection.formCommand("/api2", "{\"push_list\":true}")
                        + RawHttpConnection.formCommand("/api2", "{\"active_streams\":true}")
                        + "GET /koekjes.json HTTP/1.1\r\nHost: mist\r\n\r\n");
                assertThat(pipelining.read().body()).contains("push_list");
                assertThat(pipelining.read().body()).contains("active_streams");
                assertThat(pipelining.read().status()).isEqualTo(200);
            }
            for (CompletableFuture<HttpResponse<String>> call : calls) {
                assertThat(call.get().statusCode()).isEqualTo(200);
            }
            assertThat(MIST.get().recording().pipelinedRequests()).isZero();
        }
    }

    @Test
    void headIsAnsweredWithoutItsBodyAndTheNextAnswerOnTheConnectionIsItsOwn() throws Exception {
        try (TestProxy proxy = TestProxy.inFrontOf(MIST.get().port(), Duration.ofSeconds(5));
             RawHttpConnection client = new RawHttpConnection(proxy.mistguard.proxyAddress().getPort())) {
            client.send("HEAD /api2?command=%7B%22push_list%22%3Atrue%7D HTTP/1.1\r\nHost: mist\r\n\r\n");
            RawHttpConnection.Response head = client.readHead();
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.header("content-length")).as("the length a GET would get").isNotEqualTo("0");
            for (int i = 0; i < 3; i++) {
                RawHttpConnection.Response next = client.exchange(
                        RawHttpConnection.formCommand("/api2", "{\"active_streams\":true}"));
                assertThat(next.status()).isEqualTo(200);
                assertThat(next.body()).startsWith("{").contains("active_streams").doesNotContain("push_list");
            }
        }
    }

    /**
     * Regression (found by attacking the trust work): Mist's 403 to a bad {@code Authorization: json}
     * header has no length and no close, so it ran to the route's timeout and counted against the
     * shared breaker: any caller could open it. It is now answered at once and charges nothing.
     */
    @Test
    void forbiddenAnswerWithoutLengthIsAnsweredAtOnceAndChargesNothing() throws Exception {
        try (TestProxy proxy = PolicyProxies.start("""
                breakers:
                  mist: {failure_rate: 50, window_calls: 2, open_duration: 30s}
                routes:
                  - {name: catch-all, match: {}, kind: passthrough, timeout: 5s, breaker: mist}
                """, MIST.get().port());
             RawHttpConnection client = new RawHttpConnection(proxy.mistguard.proxyAddress().getPort())) {
            for (int i = 0; i < 3; i++) {
                RawHttpConnection.Response answer = client.exchange("GET /api2?command=%7B%22push_list%22%3Atrue%7D "
                        + "HTTP/1.1\r\nHost: mist\r\nX-Forwarded-For: 203.0.113.9\r\nAuthorization: json {not json\r\n\r\n");
                assertThat(answer.status()).isEqualTo(403);
                assertThat(answer.header("WWW-Authenticate")).isNotNull();
                assertThat(answer.header("Mistguard-Decision")).isEqualTo("proxied");
            }
            assertThat(proxy.mistguard.policies().breaker("mist").state()).isEqualTo("closed");
            assertThat(proxy.mistguard.policies().breaker("mist").failureRate()).isZero();
            assertThat(client.exchange(RawHttpConnection.formCommand("/api2", "{\"push_list\":true}")).status())
                    .isEqualTo(200);
        }
    }

    @Test
    void writesSurviveMistClosingAfterEveryWebUiPageAndAfterRepliesItFlagged() throws Exception {
        MIST.get().faults().add(FaultRule.forCommand("push_list").closeAfterReply());
        try (TestProxy proxy = TestProxy.inFrontOf(MIST.get().port(), Duration.ofSeconds(5))) {
            int writes = 0;
            for (int i = 0; i < Integer.getInteger("quirks.rounds", 60); i++) {
                assertThat(proxy.get("/").statusCode()).isEqualTo(200);
                assertThat(proxy.get("/api2?command=%7B%22push_list%22%3Atrue%7D").statusCode()).isEqualTo(200);
                HttpResponse<String> write = proxy.http.send(PolicyProxies.command(proxy,
                        "{\"nuke_stream\":\"video+stream0\"}"), HttpResponse.BodyHandlers.ofString());
                assertThat(write.statusCode()).as(write.body()).isEqualTo(200);
                writes++;
            }
            assertThat(MIST.get().recording().commandCount("nuke_stream")).isEqualTo(writes);
        }
    }
}
