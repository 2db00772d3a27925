package io.mistguard.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.proxy.FakeCatalystApi.Behaviour;
import io.mistguard.proxy.config.TriggerFallback;
import io.mistguard.proxy.config.TriggerPolicy;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The fault "Mist's leaving does not end the trigger's call", found by the fresh review of the day's
 * work: a commit that let the trigger listener answer half-closed callers took every FIN for a
 * half-close, so when Mist gave up an attempt and closed its connection, the call to catalyst-api ran
 * on to its end and held its admission slot, and the access log and metrics said {@code proxied 200}
 * for an answer nobody read. During a catalyst-api incident each of Mist's five attempts would then
 * add a call instead of replacing one. That commit is reverted (Mist never half-closes; its FIN is its
 * leaving), and this pins the behaviour over a real socket: the call is cancelled and its slot freed
 * long before catalyst-api would have answered.
 */
@Timeout(60)
class MistLeavingCancelsTheTriggerRegressionIT {

    @Test
    void mistClosingItsConnectionCancelsTheCallAtCatalystApiRegression() throws Exception {
        try (FakeCatalystApi catalyst = FakeCatalystApi.start();
             TestProxy proxy = TriggerProxies.start(FakeCatalystApi.refusedPort(), TriggerProxies.triggers(0,
                     catalyst.port(), TriggerPolicy.fixed(true, Duration.ofSeconds(4), TriggerFallback.DENY)))) {
            catalyst.behaviour = Behaviour.SLOW;
            catalyst.delay = Duration.ofSeconds(3);
            String viewer = "video+s1\n10.0.0.7\n41\nHLS\nhttp://x/a.m3u8\nsess-a";
            try (Socket mist = new Socket(InetAddress.getLoopbackAddress(), proxy.mistguard.triggerAddress().getPort())) {
                OutputStream out = mist.getOutputStream();
                out.write(("POST /api/mist/trigger HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Trigger: USER_NEW\r\n"
                           + "X-Trigger-UUID: u-1\r\nContent-Length: " + viewer.length() + "\r\n\r\n" + viewer)
                                  .getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                Await.until("the trigger is at catalyst-api", () -> catalyst.calls.get() == 1);
            } // Mist's attempt ran out: it closes its connection
            Await.until("the call's slot is freed", () -> proxy.mistguard.triggers().admission().inFlight() == 0);
            assertThat(proxy.metrics()).contains(
                    "mistguard_trigger_decisions_total{decision=\"cancelled\",reason=\"none\",trigger=\"USER_NEW\"} 1.0");
        }
    }
}
