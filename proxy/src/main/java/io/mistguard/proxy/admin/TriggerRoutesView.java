package io.mistguard.proxy.admin;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.mistguard.proxy.config.TriggerDeliveryConfig;
import io.mistguard.proxy.config.TriggerFallback;
import io.mistguard.proxy.config.TriggerPolicy;
import io.mistguard.proxy.policy.BreakerSnapshot;
import io.mistguard.proxy.trigger.DeliveryStats;
import io.mistguard.proxy.trigger.TriggerView;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Map;

/**
 * The trigger listener's part of {@code /admin/routes}: a {@code "triggers"} object beside
 * {@code "routes"}, with the listener, catalyst-api's address, each trigger's policy (timeouts in
 * {@code _ms}, as the rest of the admin API) and the state of the breaker, admission pool, delivery
 * queue and last-known store they share. Kept apart from {@link AdminViews}: it copies that view's
 * document and adds one field. Stateless.
 */
final class TriggerRoutesView {

    private static final JsonFactory FACTORY = new JsonFactory();

    private TriggerRoutesView() {}

    /** {@code routesDocument} (an object), with {@code "triggers"} added; unchanged when {@code view} is null. */
    static String withTriggers(String routesDocument, TriggerView view) {
        if (view == null) {
            return routesDocument;
        }
        return Json.of(json -> {
            json.writeStartObject();
            try (JsonParser parser = FACTORY.createParser(routesDocument)) {
                parser.nextToken(); // the document's START_OBJECT
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    json.copyCurrentStructure(parser); // a field name copies with its value
                }
            }
            json.writeFieldName("triggers");
            write(json, view);
            json.writeEndObject();
        });
    }

    private static void write(JsonGenerator json, TriggerView v) throws IOException {
        json.writeStartObject();
        json.writeStringField("listen", String.valueOf(v.config().listen()));
        json.writeStringField("upstream", v.config().upstream().toString());
        millis(json, "connect_timeout_ms", v.config().connectTimeout());
        json.writeArrayFieldStart("routes");
        for (Map.Entry<String, TriggerPolicy> e : v.policies().entrySet()) {
            policy(json, e.getKey(), e.getValue());
        }
        policy(json, "*", v.config().defaultPolicy());
        json.writeEndArray();
        BreakerSnapshot b = v.breaker();
        json.writeObjectFieldStart("breaker");
        json.writeStringField("name", b.name());
        json.writeStringField("state", b.state());
        json.writeNumberField("failure_rate", b.failureRate());
        millis(json, "remaining_open_ms", b.remainingOpen());
        json.writeStringField("forced", b.forced());
        json.writeEndObject();
        json.writeObjectFieldStart("admission");
        json.writeNumberField("max_concurrent", v.config().admission().maxConcurrent());
        json.writeNumberField("in_flight", v.admission().inFlight());
        json.writeNumberField("queued", v.admission().queued());
        json.writeNumberField("rejected", v.admission().rejected());
        json.writeEndObject();
        DeliveryStats d = v.delivery();
        json.writeObjectFieldStart("delivery");
        TriggerDeliveryConfig dc = v.config().delivery();
        millis(json, "timeout_ms", dc.timeout());
        json.writeNumberField("max_attempts", dc.maxAttempts());
        json.writeNumberField("max_concurrent", dc.maxConcurrent());
        json.writeNumberField("max_pending", dc.maxPending());
        json.writeNumberField("pending", d.pending());
        json.writeNumberField("pending_bytes", d.pendingBytes());
        json.writeNumberField("in_flight", d.inFlight());
        json.writeNumberField("delivered", d.delivered());
        json.writeNumberField("retried", d.retried());
        json.writeNumberField("dropped", d.dropped());
        json.writeNumberField("refused", d.refused());
        json.writeEndObject();
        json.writeObjectFieldStart("last_known");
        json.writeNumberField("entries", v.lastKnownEntries());
        json.writeNumberField("bytes", v.lastKnownBytes());
        json.writeEndObject();
        json.writeEndObject();
    }

    /**
     * One trigger's policy, with only what applies to it: a non-blocking trigger has no timeout or
     * fallback ({@code "answer": "queued"}, delivered as {@code "delivery"} says); {@code otherwise},
     * {@code max_age_ms} and {@code key_lines} appear only with {@code last-known}.
     */
    private static void policy(JsonGenerator json, String name, TriggerPolicy p) throws IOException {
        json.writeStartObject();
        json.writeStringField("trigger", name);
        json.writeBooleanField("blocking", p.blocking());
        if (!p.blocking()) {
            json.writeStringField("answer", "queued");
            json.writeEndObject();
            return;
        }
        millis(json, "timeout_ms", p.timeout());
        json.writeStringField("fallback", p.fallback().configName());
        if (p.fallback() == TriggerFallback.LAST_KNOWN) {
            json.writeStringField("otherwise", p.otherwise().configName());
            millis(json, "max_age_ms", p.maxAge());
            json.writeArrayFieldStart("key_lines");
            for (int line : p.keyLines()) {
                json.writeNumber(line);
            }
            json.writeEndArray();
        }
        json.writeEndObject();
    }

    private static void millis(JsonGenerator json, String name, Duration d) throws IOException {
        json.writeNumberField(name, d.toMillis());
    }
}
