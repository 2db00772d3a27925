package io.mistguard.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.proxy.FakeCatalystApi.Behaviour;
import io.mistguard.proxy.config.TriggerFallback;
import io.mistguard.proxy.config.TriggerPolicy;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The fault "a stop cuts what the trigger listener owes", found by review: on SIGTERM the proxy's
 * port drained its requests for {@code shutdown_grace}, but the trigger listener closed every
 * connection the moment its turn came. A blocking trigger whose call to catalyst-api was under way got
 * no answer (Mist counts that as a failed attempt, and after five lets the viewer in), and the
 * non-blocking triggers still queued for delivery were logged as lost, though Mist had been told they
 * were taken. Now the trigger listener keeps answering until nothing is at catalyst-api or waiting for
 * it, within the same {@code shutdown_grace} counted from the stop, so a stop takes no longer than
 * before. The real mistguard with a trigger listener, a slow fake catalyst-api, over loopback.
 */
@Timeout(60)
class TriggersCutAtShutdownRegressionIT {

    private static final String VIEWER = "video+s1\n10.0.0.7\n41\nHLS\nhttp://x/a.m3u8\nsess-a";
    private static final String SESSION_END = "sess-a\nvideo+s1\nHLS\n10.0.0.7\n12\n1000";

    @Test
    void aBlockingTriggerAtCatalystApiWhenTheStopComesIsAnsweredRegression() throws Exception {
        try (FakeCatalystApi catalyst = FakeCatalystApi.start()) {
            catalyst.behaviour = Behaviour.SLOW;
            catalyst.delay = Duration.ofMillis(800);
            TestProxy proxy = TriggerProxies.start(FakeCatalystApi.refusedPort(), TriggerProxies.triggers(0,
                    catalyst.port(), TriggerPolicy.fixed(true, Duration.ofSeconds(3), TriggerFallback.DENY)));
            CompletableFuture<String> answer;
            try (Socket mist = new Socket(InetAddress.getLoopbackAddress(), proxy.mistguard.triggerAddress().getPort())) {
                answer = CompletableFuture.supplyAsync(() -> send(mist, "USER_NEW", "u-1", VIEWER));
                Await.until("the trigger is at catalyst-api", () -> catalyst.calls.get() == 1);
                proxy.close();
                assertThat(answer.get(5, TimeUnit.SECONDS)).startsWith("HTTP/1.1 200 ")
                        .contains("Mistguard-Decision: proxied").endsWith("true");
            }
        }
    }

    @Test
    void nonBlockingTriggersQueuedWhenTheStopComesAreDeliveredRegression() throws Exception {
        try (FakeCatalystApi catalyst = FakeCatalystApi.start()) {
            catalyst.behaviour = Behaviour.SLOW;
            catalyst.delay = Duration.ofMillis(300);
            TestProxy proxy = TriggerProxies.start(FakeCatalystApi.refusedPort(), TriggerProxies.triggers(0,
                    catalyst.port(), TriggerPolicy.fixed(true, Duration.ofSeconds(3), TriggerFallback.DENY)));
            try (Socket mist = new Socket(InetAddress.getLoopbackAddress(), proxy.mistguard.triggerAddress().getPort())) {
                for (int i = 0; i < 3; i++) {
                    assertThat(send(mist, "USER_END", "end-" + i, SESSION_END)).startsWith("HTTP/1.1 200 ")
                            .contains("Mistguard-Decision: queued");
                }
            }
            proxy.close();
            assertThat(proxy.mistguard.triggers().delivery().delivered()).as("delivered, answered by catalyst-api")
                    .isEqualTo(3);
            assertThat(catalyst.received("USER_END")).extracting(r -> r.header("X-Trigger-UUID"))
                    .containsExactlyInAnyOrder("end-0", "end-1", "end-2");
        }
    }

    /** Mist's POST of {@code trigger} on {@code mist}; the answer's head and body. */
    private static String send(Socket mist, String trigger, String uuid, String payload) {
        try {
            return RawHttpMessages.exchange(mist.getOutputStream(), mist.getInputStream(),
                    "POST /api/mist/trigger HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Trigger: " + trigger
                    + "\r\nX-Trigger-UUID: " + uuid + "\r\nContent-Type: text/plain\r\nContent-Length: "
                    + payload.length() + "\r\n\r\n" + payload);
        } catch (java.io.IOException e) {
            return "no answer: " + e;
        }
    }
}
