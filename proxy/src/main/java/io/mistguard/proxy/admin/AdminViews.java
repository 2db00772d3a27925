package io.mistguard.proxy.admin;

import com.fasterxml.jackson.core.JsonGenerator;
import io.mistguard.proxy.config.Durations;
import io.mistguard.proxy.config.InvalidationsConfig;
import io.mistguard.proxy.config.RouteConfig;
import io.mistguard.proxy.config.RouteKind;
import io.mistguard.proxy.invalidation.InvalidationStats;
import io.mistguard.proxy.policy.BreakerSnapshot;
import io.mistguard.proxy.policy.InflightAttempt;
import io.mistguard.proxy.reload.ReloadOutcome;
import java.io.IOException;
import java.time.Duration;
import java.util.List;

/**
 * The JSON documents of the admin endpoints. Durations are written as milliseconds in keys ending
 * {@code _ms}, so that tools need no duration parser. Stateless.
 */
final class AdminViews {

    /** {@link BreakerSnapshot#stateNumber()} as text: 0 closed, 1 open, 2 half-open. */
    private static final String[] EFFECTIVE_STATES = {"closed", "open", "half_open"};

    private AdminViews() {}

    /**
     * The route table in force. A {@code queued} route's requests are answered by the invalidation
     * queue, so its per-call settings apply only to the requests that still go to Mist (remote
     * callers, commands the queue cannot read): they are listed under {@code when_sent_to_mist}, and
     * {@code queue} says how the queue delivers and which breaker pauses it.
     */
    static String routes(List<RouteConfig> routes, InvalidationsConfig invalidations) {
        return routes(routes, invalidations, (json, route) -> { });
    }

    /** What a route's object gets after its settings (its {@code "stats"}, from the handler). */
    @FunctionalInterface
    interface RouteExtras {
        void write(JsonGenerator json, RouteConfig route) throws IOException;
    }

    /** {@link #routes(List, InvalidationsConfig)}, each route's object ending with what {@code extras} writes. */
    static String routes(List<RouteConfig> routes, InvalidationsConfig invalidations, RouteExtras extras) {
        return Json.of(json -> {
            json.writeStartObject();
            json.writeArrayFieldStart("routes");
            for (RouteConfig r : routes) {
                json.writeStartObject();
                json.writeStringField("name", r.name());
                json.writeStringField("kind", r.kind().configName());
                json.writeObjectFieldStart("match");
                optional(json, "method", r.match().method());
                optional(json, "path", r.match().path());
                if (r.match().commands() != null) {
                    json.writeArrayFieldStart("commands");
                    for (String c : r.match().commands().stream().sorted().toList()) {
                        json.writeString(c);
                    }
                    json.writeEndArray();
                }
                optional(json, "command", r.match().command());
                json.writeEndObject();
                if (r.kind() == RouteKind.QUEUED) {
                    queue(json, r, invalidations);
                    json.writeObjectFieldStart("when_sent_to_mist");
                    callPolicy(json, r);
                    json.writeEndObject();
                } else {
                    callPolicy(json, r);
                    caching(json, r);
                }
                extras.write(json, r);
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeEndObject();
        });
    }

    /** The settings of a policed call to Mist on route {@code r}. */
    private static void callPolicy(JsonGenerator json, RouteConfig r) throws IOException {
        millis(json, "timeout_ms", r.timeout());
        millis(json, "per_try_timeout_ms", r.perTryTimeout());
        json.writeNumberField("attempts", r.retry().attempts());
        millis(json, "backoff_base_ms", r.retry().backoffBase());
        millis(json, "backoff_max_ms", r.retry().backoffMax());
        optional(json, "breaker", r.breaker());
        optional(json, "admission", r.admission());
        json.writeNumberField("rejection_status", r.rejection().status());
        if (r.callerTimeout() != null) {
            millis(json, "caller_timeout_ms", r.callerTimeout());
        }
    }

    /** How the invalidation queue answers and delivers a {@code queued} route's requests. */
    private static void queue(JsonGenerator json, RouteConfig r, InvalidationsConfig invalidations)
            throws IOException {
        json.writeObjectFieldStart("queue");
        json.writeStringField("answers", "at once, with Mist's own reply, for local-equivalent callers");
        millis(json, "call_timeout_ms", invalidations.callTimeout());
        json.writeNumberField("batch_size", invalidations.batchSize());
        json.writeNumberField("max_pending_names", invalidations.maxPendingNames());
        millis(json, "initial_backoff_ms", invalidations.initialBackoff());
        millis(json, "max_backoff_ms", invalidations.maxBackoff());
        optional(json, "paused_while_open", r.breaker());
        json.writeEndObject();
    }

    /**
     * The read-cache keys of the route as the config names them: {@code coalesce}, {@code stale}
     * ({@code null} when the route is never answered stale) and {@code fresh_for_ms} (0 = off).
     */
    private static void caching(JsonGenerator json, RouteConfig r) throws IOException {
        json.writeBooleanField("coalesce", r.caching().coalesce());
        if (r.staleMaxAge() == null) {
            json.writeNullField("stale");
        } else {
            json.writeObjectFieldStart("stale");
            millis(json, "max_age_ms", r.staleMaxAge());
            millis(json, "while_revalidate_ms", r.caching().whileRevalidate());
            json.writeEndObject();
        }
        millis(json, "fresh_for_ms", r.freshFor());
    }

    static String breakers(List<BreakerSnapshot> breakers) {
        return Json.of(json -> {
            json.writeStartObject();
            json.writeArrayFieldStart("breakers");
            for (BreakerSnapshot b : breakers) {
                breaker(json, b);
            }
            json.writeEndArray();
            json.writeEndObject();
        });
    }

    static String breaker(BreakerSnapshot b) {
        return Json.of(json -> breaker(json, b));
    }

    /**
     * One breaker. {@code state} is the breaker's own; {@code effective_state} is what callers get
     * now, an operator's override winning ({@code forced}). {@code last_failure} is {@code null}
     * until a call through the breaker fails, then its reason token and how long ago it was.
     */
    private static void breaker(JsonGenerator json, BreakerSnapshot b) throws IOException {
        json.writeStartObject();
        json.writeStringField("name", b.name());
        json.writeStringField("state", b.state());
        json.writeStringField("effective_state", EFFECTIVE_STATES[b.stateNumber()]);
        json.writeNumberField("failure_rate", b.failureRate());
        json.writeNumberField("calls", b.calls());
        millis(json, "open_remaining_ms", b.remainingOpen());
        json.writeNumberField("trials_out", b.trialsOut());
        json.writeStringField("forced", b.forced());
        millis(json, "forced_remaining_ms", b.forcedFor());
        if (b.lastFailure() == null) {
            json.writeNullField("last_failure");
        } else {
            json.writeObjectFieldStart("last_failure");
            json.writeStringField("reason", b.lastFailure());
            millis(json, "ago_ms", b.sinceLastFailure());
            json.writeEndObject();
        }
        json.writeEndObject();
    }

    static String inflight(List<InflightAttempt> attempts, long now) {
        return Json.of(json -> {
            json.writeStartObject();
            json.writeArrayFieldStart("inflight");
            for (InflightAttempt a : attempts) {
                json.writeStartObject();
                json.writeStringField("route", a.route());
                json.writeNumberField("attempt", a.attempt());
                millis(json, "age_ms", a.age(now));
                millis(json, "deadline_in_ms", a.untilDeadline(now));
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeEndObject();
        });
    }

    static String invalidations(InvalidationStats s) {
        return Json.of(json -> {
            json.writeStartObject();
            json.writeNumberField("depth", s.depth());
            millis(json, "oldest_pending_ms", s.oldestPendingAge());
            json.writeNumberField("in_flight", s.inFlight());
            json.writeNumberField("accepted", s.accepted());
            json.writeNumberField("coalesced", s.coalesced());
            json.writeNumberField("requeued", s.requeued());
            json.writeNumberField("rejected", s.rejected());
            json.writeNumberField("sent", s.sent());
            json.writeNumberField("calls", s.calls());
            json.writeNumberField("failed", s.failed());
            json.writeNumberField("retried", s.retried());
            json.writeNumberField("checkpoints_written", s.checkpointsWritten());
            json.writeEndObject();
        });
    }

    static String reload(ReloadOutcome outcome) {
        return Json.of(json -> {
            json.writeStartObject();
            json.writeBooleanField("applied", outcome.applied());
            strings(json, "problems", outcome.problems());
            strings(json, "restart_needed", outcome.restartNeeded());
            json.writeEndObject();
        });
    }

    static String error(String message) {
        return Json.of(json -> {
            json.writeStartObject();
            json.writeStringField("error", message);
            json.writeEndObject();
        });
    }

    static String forced(BreakerSnapshot b, String action, Duration duration) {
        return Json.of(json -> {
            json.writeStartObject();
            json.writeStringField("action", action);
            json.writeStringField("for", duration == null ? "" : Durations.format(duration));
            json.writeFieldName("breaker");
            breaker(json, b);
            json.writeEndObject();
        });
    }

    private static void strings(JsonGenerator json, String field, List<String> values) throws IOException {
        json.writeArrayFieldStart(field);
        for (String v : values) {
            json.writeString(v);
        }
        json.writeEndArray();
    }

    private static void optional(JsonGenerator json, String field, String value) throws IOException {
        if (value != null) {
            json.writeStringField(field, value);
        }
    }

    private static void millis(JsonGenerator json, String field, Duration d) throws IOException {
        json.writeNumberField(field, d.toMillis());
    }
}
