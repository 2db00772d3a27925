package io.mistguard.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.mistguard.proxy.logging.LogCapture;
import io.mistguard.sim.SimMist;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.event.KeyValuePair;

/**
 * A caller that resets its connection while a large answer is still being written to it.
 * Regression: the access-log line was written when the answer was handed to the socket, so it said
 * {@code status=200} and every byte of the body, for an answer the caller never got whole. Now the
 * line waits for the write: {@code status=499} (nginx's "client closed request") and the body's
 * bytes the socket took before the reset.
 */
class CallerGoneMidAnswerLogRegressionIT {

    @Test
    void aCallerThatResetsMidBodyIsLogged499WithTheBytesTakenNotTheWholeBodyRegression() throws Exception {
        try (SimMist mist = SimMist.builder().streams(1, 1).start();
             TestProxy proxy = PolicyProxies.start(SlowReader.ROUTES, mist.port());
             LogCapture access = LogCapture.of("mistguard.access", Level.INFO)) {
            SlowReader.huge(mist);
            try (SlowReader caller = SlowReader.ask(proxy)) {
                caller.in.readNBytes(16 * 1024); // some of the body, then leave with a reset
                caller.socket.setSoLinger(true, 0);
            }
            Await.until("the access line", () -> !access.events().isEmpty());
            ILoggingEvent line = access.events().get(0);
            Map<String, String> fields = fields(line);
            assertThat(fields).containsEntry("route", "rest").containsEntry("decision", "proxied")
                    .containsEntry("status", "499").containsEntry("path", "/api2");
            assertThat(Long.parseLong(fields.get("bytes"))).as("what the socket took, not the whole body")
                    .isGreaterThanOrEqualTo(0).isLessThan(SlowReader.HUGE);

            // The next caller is answered, and logged whole.
            HttpResponse<String> whole = proxy.get(SlowReader.TARGET);
            assertThat(whole.statusCode()).isEqualTo(200);
            int wholeBytes = whole.body().getBytes(StandardCharsets.UTF_8).length;
            assertThat(wholeBytes).isGreaterThanOrEqualTo(SlowReader.HUGE);
            Await.until("the second line", () -> access.events().size() == 2);
            assertThat(fields(access.events().get(1))).containsEntry("status", "200")
                    .containsEntry("bytes", String.valueOf(wholeBytes));
        }
    }

    private static Map<String, String> fields(ILoggingEvent event) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (KeyValuePair kv : event.getKeyValuePairs()) {
            fields.put(kv.key, String.valueOf(kv.value));
        }
        return fields;
    }
}
