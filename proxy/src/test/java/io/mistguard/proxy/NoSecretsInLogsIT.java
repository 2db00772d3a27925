package io.mistguard.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import io.mistguard.proxy.logging.LogCapture;
import io.mistguard.sim.SimMist;
import io.mistguard.sim.fault.FaultRule;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;

/**
 * Nothing a caller sends as a credential, or a command body, reaches the logs — at DEBUG on every
 * logger, through answered, refused, faulted and admin requests: {@code Authorization} values, the
 * {@code authorize} password, stream names of invalidations, query strings, a wrong admin token.
 * Every recorded event is searched: message, arguments, key/value pairs and throwables.
 */
class NoSecretsInLogsIT {

    private static final String PASSWORD = "hunter2-password-5f3a";
    private static final String BASIC = "QWxhZGRpbjpodW50ZXIyLWJhc2ljLTdlMQ";
    private static final String STREAM = "video+secret-stream-91c2";
    private static final String QUERY = "sig-token-0d4e";
    private static final String ADMIN_TOKEN = "wrong-admin-token-a81f";
    private static final String YAML = """
            admin: {token: the-right-one}
            routes:
              - name: get-state
                match: {commands: [active_streams]}
                kind: read
                timeout: 1s
                per_try_timeout: 500ms
              - name: rest
                match: {}
                kind: passthrough
                timeout: 1s
                per_try_timeout: 500ms
            """;

    @Test
    void credentialsCommandsAndTokensNeverReachTheLogs() throws Exception {
        List<ILoggingEvent> events = new ArrayList<>();
        try (LogCapture all = LogCapture.of(Logger.ROOT_LOGGER_NAME, Level.DEBUG);
             LogCapture access = LogCapture.of("mistguard.access", Level.DEBUG);
             LogCapture ours = LogCapture.of("io.mistguard", Level.DEBUG);
             SimMist mist = SimMist.builder().streams(1, 1).start();
             TestProxy proxy = PolicyProxies.start(YAML, mist.port())) {
            String login = "{\"authorize\":{\"username\":\"mistguard\",\"password\":\"" + PASSWORD + "\"}}";
            send(proxy, HttpRequest.newBuilder(proxy.uri("/api?x=" + QUERY)).header("Authorization", "Basic " + BASIC)
                    .POST(form(login)).build());
            send(proxy, PolicyProxies.command(proxy, "{\"invalidate_sessions\":\"" + STREAM + "\"}"));
            mist.faults().add(FaultRule.forCommand("push_list").resetMidResponse());
            send(proxy, HttpRequest.newBuilder(proxy.uri("/?auth=" + QUERY)).header("Authorization", "Basic " + BASIC)
                    .POST(form("{\"push_list\":true,\"authorize\":{\"password\":\"" + PASSWORD + "\"}}")).build());
            mist.faults().clear();
            mist.faults().add(FaultRule.forCommand("active_streams").hang());
            send(proxy, PolicyProxies.command(proxy, "{\"active_streams\":true,\"x\":\"" + STREAM + "\"}"));
            send(proxy, HttpRequest.newBuilder(proxy.adminUri("/admin/breakers"))
                    .header("Authorization", "Bearer " + ADMIN_TOKEN).build());
            events.addAll(all.events());
            events.addAll(access.events());
            events.addAll(ours.events());
        }

        assertThat(events).as("the test logged something to search").isNotEmpty();
        for (ILoggingEvent event : events) {
            String text = everything(event);
            for (String secret : List.of(PASSWORD, BASIC, STREAM, QUERY, ADMIN_TOKEN)) {
                assertThat(text).as("logger %s: %s", event.getLoggerName(), event.getFormattedMessage())
                                .doesNotContain(secret);
            }
        }
    }

    private static HttpRequest.BodyPublisher form(String json) {
        return HttpRequest.BodyPublishers.ofString("command=" + URLEncoder.encode(json, StandardCharsets.UTF_8));
    }

    private static void send(TestProxy proxy, HttpRequest request) throws Exception {
        HttpRequest withType = HttpRequest.newBuilder(request, (name, value) -> true)
                .header("Content-Type", "application/x-www-form-urlencoded").build();
        proxy.http.send(withType, HttpResponse.BodyHandlers.ofString());
    }

    /** The message, its arguments, key/value pairs and any throwable chain, as one string. */
    private static String everything(ILoggingEvent event) {
        StringBuilder text = new StringBuilder(String.valueOf(event.getFormattedMessage()));
        if (event.getArgumentArray() != null) {
            for (Object argument : event.getArgumentArray()) {
                text.append(' ').append(argument);
            }
        }
        if (event.getKeyValuePairs() != null) {
            event.getKeyValuePairs().forEach(pair -> text.append(' ').append(pair.key).append('=').append(pair.value));
        }
        for (IThrowableProxy t = event.getThrowableProxy(); t != null; t = t.getCause()) {
            text.append(' ').append(t.getClassName()).append(": ").append(Objects.toString(t.getMessage()));
        }
        return text.toString();
    }
}
