package io.mistguard.proxy.admin;

import io.mistguard.proxy.config.Durations;
import io.mistguard.proxy.policy.Breaker;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /admin/breakers/<name>/force-open?for=30s}, {@code .../force-close?for=30s} and
 * {@code .../clear}: an operator's override of a breaker, always with an expiry (at most
 * {@link #MAX_FORCE}) so a forgotten override cannot outlive the incident. Every action is logged
 * at WARN with who asked (the admin client's address), what and until when. Stateless.
 */
final class BreakerActions {

    private static final Logger log = LoggerFactory.getLogger(BreakerActions.class);
    static final String PREFIX = "/admin/breakers/";
    static final Duration MAX_FORCE = Duration.ofHours(1);

    private BreakerActions() {}

    /**
     * @param breakers the breaker of a name, {@code null} for none: the route table's, and the trigger
     *                 listener's {@code catalyst-api}
     */
    static AdminAnswer act(Function<String, Breaker> breakers, QueryStringDecoder uri, String client) {
        // The action is the last segment; the name is everything before it, so that a breaker whose
        // name holds a '/' (sent as %2F, which the path has already decoded) can be acted on too.
        String rest = uri.path().substring(PREFIX.length());
        int slash = rest.lastIndexOf('/');
        if (slash <= 0) {
            return notFound(uri.path());
        }
        String name = rest.substring(0, slash);
        Breaker breaker = breakers.apply(name);
        if (breaker == null) {
            return AdminAnswer.json(HttpResponseStatus.NOT_FOUND, AdminViews.error("no breaker named " + name));
        }
        String action = rest.substring(slash + 1);
        if (action.equals("clear")) {
            boolean had = breaker.clearForce();
            log.warn("admin {}: breaker {} override cleared{}", client, breaker.name(), had ? "" : " (there was none)");
            return AdminAnswer.ok(AdminViews.forced(breaker.snapshot(), action, null));
        }
        if (!action.equals("force-open") && !action.equals("force-close")) {
            return notFound(uri.path());
        }
        List<String> given = uri.parameters().get("for");
        if (given == null) {
            return badRequest("missing ?for=<duration> (expected: like 30s, at most 1h)");
        }
        if (given.size() > 1) { // found by review: reported as missing
            return badRequest("for: given " + given.size() + " times (expected: once, like ?for=30s)");
        }
        Duration duration;
        try {
            duration = Durations.parse(given.get(0));
        } catch (IllegalArgumentException e) {
            return badRequest("for: " + e.getMessage());
        }
        if (duration.isZero() || duration.compareTo(MAX_FORCE) > 0) {
            return badRequest("for: " + given.get(0) + " is out of range (expected: more than 0s, at most 1h)");
        }
        breaker.force(action.equals("force-open"), duration);
        log.warn("admin {}: breaker {} {} for {} (until then its own state is ignored)", client, breaker.name(),
                 action, Durations.format(duration));
        return AdminAnswer.ok(AdminViews.forced(breaker.snapshot(), action, duration));
    }

    private static AdminAnswer badRequest(String message) {
        return AdminAnswer.json(HttpResponseStatus.BAD_REQUEST, AdminViews.error(message));
    }

    private static AdminAnswer notFound(String path) {
        return AdminAnswer.json(HttpResponseStatus.NOT_FOUND, AdminViews.error("not found: " + path
                + " (expected: /admin/breakers/<name>/force-open, force-close or clear)"));
    }
}
