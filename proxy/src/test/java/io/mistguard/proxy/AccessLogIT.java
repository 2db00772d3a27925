package io.mistguard.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.mistguard.proxy.logging.LogCapture;
import io.mistguard.sim.SimMist;
import io.mistguard.sim.fault.FaultRule;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.event.KeyValuePair;

/**
 * The {@code mistguard.access} line of a real mistguard over loopback: one per request, with every
 * field, as key/values and as the message; WARN without a throwable for an expected upstream fault;
 * never the query string or the command (which carry stream names and tokens).
 */
class AccessLogIT {

    private static final String YAML = """
            routes:
              - name: get-state
                match: {commands: [active_streams]}
                kind: read
                timeout: 600ms
                per_try_timeout: 600ms
              - name: rest
                match: {}
                kind: passthrough
            """;
    private static final String GET_STATE = "{\"active_streams\":true}";
    private static final String QUERY = "/api2?command=%7B%22active_streams%22%3Atrue%7D";

    @Test
    void aProxiedRequestGetsOneInfoLineWithEveryField() throws Exception {
        try (SimMist mist = SimMist.builder().streams(1, 1).start();
             TestProxy proxy = PolicyProxies.start(YAML, mist.port());
             LogCapture access = LogCapture.of("mistguard.access", Level.INFO)) {
            HttpResponse<String> answer = proxy.http.send(PolicyProxies.get(proxy, QUERY),
                                                          HttpResponse.BodyHandlers.ofString());
            assertThat(answer.statusCode()).isEqualTo(200);

            ILoggingEvent line = onlyLine(access);
            Map<String, String> fields = fields(line);
            assertThat(line.getLevel()).isEqualTo(Level.INFO);
            assertThat(fields).containsExactlyEntriesOf(expected("get-state", "proxied", 200,
                    answer.body().getBytes(StandardCharsets.UTF_8).length, fields, "1", "GET", "/api2"));
            assertThat(Long.parseLong(fields.get("upstream_ms"))).isLessThanOrEqualTo(Long.parseLong(fields.get("total_ms")));
            assertThat(line.getFormattedMessage()).isEqualTo(message(fields));
            assertNoSecrets(line);
        }
    }

    @Test
    void aTimeoutOnAHungMistIsOneWarnLineWithoutAStackTrace() throws Exception {
        try (SimMist mist = SimMist.builder().streams(1, 1).start();
             TestProxy proxy = PolicyProxies.start(YAML, mist.port());
             LogCapture access = LogCapture.of("mistguard.access", Level.INFO)) {
            mist.faults().add(FaultRule.forCommand("active_streams").hang());
            HttpResponse<String> answer = proxy.http.send(PolicyProxies.command(proxy, GET_STATE),
                                                          HttpResponse.BodyHandlers.ofString());
            assertThat(answer.statusCode()).isEqualTo(504);

            ILoggingEvent line = onlyLine(access);
            Map<String, String> fields = fields(line);
            assertThat(line.getLevel()).isEqualTo(Level.WARN);
            assertThat(line.getThrowableProxy()).isNull();
            assertThat(fields).containsExactlyEntriesOf(expected("get-state", "timeout", 504,
                    answer.body().getBytes(StandardCharsets.UTF_8).length, fields, "1", "POST", "/"));
            assertThat(Long.parseLong(fields.get("total_ms"))).isBetween(590L, 600L + 2000L);
            assertThat(line.getFormattedMessage()).isEqualTo(message(fields));
            assertNoSecrets(line);
        }
    }

    @Test
    void theAccessLogCanBeTurnedOff() throws Exception {
        try (SimMist mist = SimMist.builder().streams(1, 1).start();
             TestProxy proxy = PolicyProxies.start("logging: {access_log: false}\n" + YAML, mist.port());
             LogCapture access = LogCapture.of("mistguard.access", Level.INFO)) {
            assertThat(proxy.http.send(PolicyProxies.get(proxy, QUERY), HttpResponse.BodyHandlers.ofString())
                               .statusCode()).isEqualTo(200);
            assertThat(access.events()).isEmpty();
        }
    }

    /** The one access line of one request; it is written before the answer, so it is there already. */
    /** The one line; written once the answer's write has settled, which may be just after the caller read it. */
    private static ILoggingEvent onlyLine(LogCapture access) throws InterruptedException {
        Await.until("the access line", () -> !access.events().isEmpty());
        assertThat(access.events()).hasSize(1);
        return access.events().get(0);
    }

    private static Map<String, String> fields(ILoggingEvent event) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (KeyValuePair kv : event.getKeyValuePairs()) {
            fields.put(kv.key, String.valueOf(kv.value));
        }
        return fields;
    }

    /** Every field in order; the two timings are taken from {@code actual} (checked separately). */
    private static Map<String, String> expected(String route, String decision, int status, int bytes,
                                                Map<String, String> actual, String attempts, String method,
                                                String path) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("route", route);
        fields.put("decision", decision);
        fields.put("status", String.valueOf(status));
        fields.put("bytes", String.valueOf(bytes));
        fields.put("total_ms", actual.get("total_ms"));
        fields.put("upstream_ms", actual.get("upstream_ms"));
        fields.put("attempts", attempts);
        fields.put("method", method);
        fields.put("path", path);
        return fields;
    }

    private static String message(Map<String, String> fields) {
        StringBuilder line = new StringBuilder();
        fields.forEach((k, v) -> line.append(line.isEmpty() ? "" : " ").append(k).append('=').append(v));
        return line.toString();
    }

    private static void assertNoSecrets(ILoggingEvent line) {
        assertThat(line.getFormattedMessage()).doesNotContain("?", "command", "active_streams", "%7B");
        assertThat(line.getKeyValuePairs()).allSatisfy(kv ->
                assertThat(String.valueOf(kv.value)).doesNotContain("?", "command", "active_streams"));
    }
}
