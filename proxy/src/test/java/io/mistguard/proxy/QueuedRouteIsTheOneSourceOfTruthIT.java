package io.mistguard.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.sim.junit.SimMistExtension;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Regression (restructuring issue: "invalidate_sessions has two sources of truth"): a hard-wired key
 * match answered {@code invalidate_sessions} ahead of the route table, so renaming or removing the
 * {@code queued} route changed nothing. Now the route table alone decides.
 */
class QueuedRouteIsTheOneSourceOfTruthIT {

    private static final String INVALIDATE = "{\"invalidate_sessions\":\"video+stream0\"}";

    @RegisterExtension
    static final SimMistExtension MIST = SimMistExtension.with(b -> b.streams(1, 1));

    @Test
    void aRenamedQueuedRouteQueuesAndNamesItself() throws Exception {
        try (TestProxy proxy = PolicyProxies.start("""
                routes:
                  - {name: my-invalidations, match: {commands: [invalidate_sessions]}, kind: queued}
                  - {name: catch-all, match: {}, kind: passthrough}
                """, MIST.get().port())) {
            HttpResponse<String> answer = proxy.http.send(PolicyProxies.command(proxy, INVALIDATE),
                                                          HttpResponse.BodyHandlers.ofString());
            assertThat(answer.headers().firstValue("Mistguard-Decision")).hasValue("queued");
            assertThat(answer.headers().firstValue("Mistguard-Route")).hasValue("my-invalidations");
        }
    }

    @Test
    void withoutAQueuedRouteInvalidationsGoToMistLikeAnyWrite() throws Exception {
        try (TestProxy proxy = PolicyProxies.start("""
                routes:
                  - {name: catch-all, match: {}, kind: passthrough}
                """, MIST.get().port())) {
            HttpResponse<String> answer = proxy.http.send(PolicyProxies.command(proxy, INVALIDATE),
                                                          HttpResponse.BodyHandlers.ofString());
            assertThat(answer.headers().firstValue("Mistguard-Decision")).hasValue("proxied");
            assertThat(answer.headers().firstValue("Mistguard-Route")).hasValue("catch-all");
            assertThat(MIST.get().recording().commandCount("invalidate_sessions")).isEqualTo(1);
            assertThat(proxy.mistguard.invalidationStats().accepted()).isZero();
        }
    }
}
