package io.mistguard.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.proxy.config.TriggerFallback;
import io.mistguard.proxy.config.TriggerPolicy;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Run-time faults a review of the trigger listener found (issue #15), over loopback: catalyst-api's
 * interim {@code 100 Continue} taken as its answer, and the trigger listener's breaker missing from
 * {@code /admin/breakers} and its force actions.
 */
class TriggerReviewRegressionIT {

    private static final TriggerPolicy DENY = TriggerPolicy.fixed(true, Duration.ofSeconds(2), TriggerFallback.DENY);
    private static final String VIEWER = String.join("\n", List.of("video+s1", "10.0.0.7", "41", "HLS",
                                                                    "http://x/a.m3u8", "sess-a"));

    /** Finding 18: an interim 100 Continue and then a real 200 was a failure (reason=upstream-status). */
    @Test
    void interim100ContinueFromCatalystIsSkippedAndItsFinalAnswerRelayed() throws Exception {
        try (ServerSocket catalyst = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             TestProxy proxy = TriggerProxies.start(FakeCatalystApi.refusedPort(),
                     TriggerProxies.triggers(0, catalyst.getLocalPort(), DENY))) {
            CompletableFuture<Void> answered = CompletableFuture.runAsync(() -> answerWithInterim(catalyst));

            HttpResponse<String> r = userNew(proxy);

            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("Mistguard-Decision")).hasValue("proxied");
            assertThat(r.body()).isEqualTo("true");
            answered.join();
        }
    }

    /** One request: 100 Continue, 103 Early Hints, then 200 "true" (RFC 9110 §15.2). */
    private static void answerWithInterim(ServerSocket server) {
        try (Socket s = server.accept()) {
            InputStream in = s.getInputStream();
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    return;
                }
                head.append((char) b);
            }
            int length = 0;
            for (String line : head.toString().split("\r\n")) {
                if (line.toLowerCase().startsWith("content-length:")) {
                    length = Integer.parseInt(line.substring(15).trim());
                }
            }
            in.readNBytes(length);
            OutputStream out = s.getOutputStream();
            out.write(("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\n"
                       + "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 4\r\n\r\ntrue")
                      .getBytes(StandardCharsets.ISO_8859_1));
            out.flush(); // the answer is framed whole: closing after it leaves it intact
        } catch (java.io.IOException e) {
            // the test is over
        }
    }

    /**
     * Finding 12: the trigger listener's breaker on catalyst-api was missing from /admin/breakers, and
     * forcing it answered "no breaker named catalyst-api", while /admin/routes showed its forced state.
     */
    @Test
    void catalystApiBreakerIsListedAndForcibleInAdminBreakers() throws Exception {
        try (FakeCatalystApi catalyst = FakeCatalystApi.start();
             TestProxy proxy = TriggerProxies.start(FakeCatalystApi.refusedPort(),
                     TriggerProxies.triggers(0, catalyst.port(), DENY))) {
            assertThat(admin(proxy, "GET", "/admin/breakers").body()).contains("\"name\" : \"catalyst-api\"");

            HttpResponse<String> forced = admin(proxy, "POST", "/admin/breakers/catalyst-api/force-open?for=30s");
            assertThat(forced.statusCode()).as(forced.body()).isEqualTo(200);
            assertThat(userNew(proxy).headers().firstValue("Mistguard-Decision"))
                    .hasValue("fallback; reason=breaker-open");
            assertThat(catalyst.calls.get()).isZero();
            assertThat(admin(proxy, "GET", "/admin/routes").body()).contains("\"forced\" : \"open\"");

            assertThat(admin(proxy, "POST", "/admin/breakers/catalyst-api/clear").statusCode()).isEqualTo(200);
            assertThat(userNew(proxy).headers().firstValue("Mistguard-Decision")).hasValue("proxied");
        }
    }

    private static HttpResponse<String> userNew(TestProxy proxy) throws Exception {
        return proxy.http.send(HttpRequest.newBuilder(TriggerProxies.triggerUrl(proxy))
                .header("X-Trigger", "USER_NEW").header("X-Trigger-UUID", "u-1").header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString(VIEWER)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> admin(TestProxy proxy, String method, String path) throws Exception {
        return proxy.http.send(HttpRequest.newBuilder(proxy.adminUri(path))
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }
}
