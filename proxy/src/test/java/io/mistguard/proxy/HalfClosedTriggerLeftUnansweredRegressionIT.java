package io.mistguard.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.proxy.config.TriggerFallback;
import io.mistguard.proxy.config.TriggerPolicy;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Regression (found by review): the trigger listener closed a connection as soon as its caller shut
 * down its sending side, so a trigger sent and then half-closed ({@code shutdown(SHUT_WR)}, as
 * {@code nc -N} and some HTTP clients do) was cancelled at catalyst-api and never answered: the
 * caller read an empty stream. The proxy and admin listeners answered such a caller; now the trigger
 * listener does too, and closes once what arrived is answered.
 */
class HalfClosedTriggerLeftUnansweredRegressionIT {

    private static final TriggerPolicy DENY = TriggerPolicy.fixed(true, Duration.ofSeconds(2), TriggerFallback.DENY);
    private static final String VIEWER = "video+s1\n10.0.0.7\n41\nHLS\nhttp://x/a.m3u8\nsess-a";

    @Test
    void aTriggerWhoseCallerShutItsSendingSideIsStillAnsweredThenClosed() throws Exception {
        try (FakeCatalystApi catalyst = FakeCatalystApi.start();
             TestProxy proxy = TriggerProxies.start(FakeCatalystApi.refusedPort(),
                     TriggerProxies.triggers(0, catalyst.port(), DENY))) {
            catalyst.behaviour = FakeCatalystApi.Behaviour.SLOW; // the answer comes after the FIN
            catalyst.delay = Duration.ofMillis(300);
            catalyst.answer = "true";

            String answer = sendThenHalfClose(proxy, post(VIEWER) + post(VIEWER));

            assertThat(answer).as("both pipelined triggers answered, in order, then the connection closed")
                    .startsWith("HTTP/1.1 200 ").contains("Mistguard-Decision: proxied").endsWith("true");
            assertThat(answer.toLowerCase(java.util.Locale.ROOT)).as("the last answer says it closes")
                    .containsOnlyOnce("connection: close").endsWith("connection: close\r\n\r\ntrue");
            assertThat(answer.split("HTTP/1.1 200 ", -1)).hasSize(3);
            assertThat(catalyst.calls.get()).isEqualTo(2);
        }
    }

    @Test
    void aHalfCloseWithNothingToAnswerClosesTheConnection() throws Exception {
        try (FakeCatalystApi catalyst = FakeCatalystApi.start();
             TestProxy proxy = TriggerProxies.start(FakeCatalystApi.refusedPort(),
                     TriggerProxies.triggers(0, catalyst.port(), DENY))) {
            assertThat(sendThenHalfClose(proxy, "")).isEmpty();
        }
    }

    private static String post(String body) {
        return "POST /api/mist/trigger HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Trigger: USER_NEW\r\nX-Trigger-UUID: u-1\r\n"
               + "Content-Type: text/plain\r\nContent-Length: " + body.length() + "\r\n\r\n" + body;
    }

    /** Writes {@code raw}, shuts the socket's output down, and reads until the listener closes. */
    private static String sendThenHalfClose(TestProxy proxy, String raw) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), proxy.mistguard.triggerAddress().getPort())) {
            s.setSoTimeout(5_000); // a listener that never closes fails the test, not hangs it
            s.getOutputStream().write(raw.getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            s.shutdownOutput();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            in.transferTo(all);
            return all.toString(StandardCharsets.ISO_8859_1);
        }
    }
}
