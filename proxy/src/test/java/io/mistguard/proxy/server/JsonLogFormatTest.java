package io.mistguard.proxy.server;

import io.mistguard.proxy.exchange.Answer;
import io.mistguard.proxy.logging.BatchingAppender;
import io.mistguard.proxy.logging.DefaultLogging;
import io.mistguard.proxy.exchange.Decision;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import io.mistguard.proxy.logging.LogCapture;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * mistguard's default logging ({@link DefaultLogging}) in {@code json}, as {@code LogFormat} switches to it,
 * in a context of its own so that the tests' logging is untouched; the console appender's stream is
 * swapped for a buffer. A real access-log
 * event (made by {@link AccessLog}) and an ordinary one go through it and come out as one JSON object a line.
 */
class JsonLogFormatTest {

    private static final ObjectReader ONE_VALUE = new ObjectMapper().readerFor(JsonNode.class)
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    @Test
    void accessAndOrdinaryEventsAreOneJsonObjectPerLineWithTheirFields() throws Exception {
        ILoggingEvent access = accessEvent();
        LoggerContext context = new LoggerContext();
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        try {
            context.setMDCAdapter(new LogbackMDCAdapter()); // what SLF4J's provider gives the real context
            DefaultLogging.apply(context, "json");
            Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
            assertThat(root.getAppender("text")).as("the text appender is not in use").isNull();
            Appender<ILoggingEvent> json = root.getAppender("json");
            assertThat(json).isInstanceOf(OutputStreamAppender.class);
            ((OutputStreamAppender<ILoggingEvent>) json).setOutputStream(stdout);

            Logger accessLogger = context.getLogger("mistguard.access");
            assertThat(accessLogger.getAppender("access-text")).as("the text access appender is not in use").isNull();
            BatchingAppender accessAppender = (BatchingAppender) accessLogger.getAppender("access-json");
            accessAppender.setTarget(stdout);
            accessAppender.doAppend(access); // through the batching appender, as in production
            accessAppender.stop(); // writes what is queued
            context.getLogger("io.mistguard.proxy.Mistguard").info("mistguard listening on {}", "/127.0.0.1:4243");
        } finally {
            context.stop();
        }

        List<JsonNode> lines = new ArrayList<>();
        for (String line : stdout.toString(StandardCharsets.UTF_8).split("\n", -1)) {
            if (!line.isEmpty()) {
                lines.add(ONE_VALUE.readValue(line));
            }
        }
        assertThat(lines).hasSize(2).allSatisfy(line -> assertThat(line.isObject()).isTrue());
        JsonNode accessLine = lines.stream().filter(l -> l.path("loggerName").asText().equals("mistguard.access"))
                .findFirst().orElseThrow();
        assertThat(accessLine.path("level").asText()).isEqualTo("INFO");
        assertThat(accessLine.path("formattedMessage").asText()).isEqualTo(
                "route=get-state decision=proxied status=200 bytes=5 total_ms=3 upstream_ms=2 attempts=1 "
                        + "method=POST path=/api2");
        Map<String, String> expected = new LinkedHashMap<>();
        String[] pairs = {"route", "get-state", "decision", "proxied", "status", "200", "bytes", "5", "total_ms", "3",
            "upstream_ms", "2", "attempts", "1", "method", "POST", "path", "/api2"};
        for (int i = 0; i < pairs.length; i += 2) {
            expected.put(pairs[i], pairs[i + 1]);
        }
        assertThat(keyValues(accessLine)).containsExactlyEntriesOf(expected);
        JsonNode ordinary = lines.stream().filter(l -> l.path("loggerName").asText().endsWith("Mistguard"))
                .findFirst().orElseThrow();
        assertThat(ordinary.path("formattedMessage").asText()).isEqualTo("mistguard listening on /127.0.0.1:4243");
        assertThat(ordinary.path("timestamp").isNumber()).isTrue();
    }

    /** One access-log event from {@link AccessLog} itself, captured on the test's own Logback. */
    private static ILoggingEvent accessEvent() {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                Unpooled.copiedBuffer("hello", StandardCharsets.UTF_8));
        Answer answer = Answer.of(response, Decision.PROXIED).onRoute("get-state")
                              .withAttempts(1, TimeUnit.MILLISECONDS.toNanos(2));
        try (LogCapture capture = LogCapture.of("mistguard.access", Level.INFO)) {
            AccessLog.log(HttpMethod.POST, "/api2", answer, TimeUnit.MILLISECONDS.toNanos(3), 200, true, 5);
            assertThat(capture.events()).hasSize(1);
            return capture.events().get(0);
        } finally {
            response.release();
        }
    }

    /** The event's key/value pairs as the encoder wrote them, in order, values as text. */
    private static Map<String, String> keyValues(JsonNode line) {
        Map<String, String> fields = new LinkedHashMap<>();
        line.path("kvpList").forEach(pair -> pair.fields().forEachRemaining(
                e -> fields.put(e.getKey(), e.getValue().asText())));
        return fields;
    }
}
