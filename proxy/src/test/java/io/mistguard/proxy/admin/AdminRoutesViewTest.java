package io.mistguard.proxy.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mistguard.proxy.config.InvalidationsConfig;
import io.mistguard.proxy.config.PolicyConfig;
import org.junit.jupiter.api.Test;

/** Issue 13: {@code /admin/routes} left out {@code stale}, {@code fresh_for} and {@code coalesce}. */
class AdminRoutesViewTest {

    private static JsonNode route(String name) throws Exception {
        JsonNode routes = new ObjectMapper().readTree(AdminViews.routes(PolicyConfig.defaults().routes(),
                                                                       InvalidationsConfig.defaults())).get("routes");
        for (JsonNode route : routes) {
            if (route.get("name").asText().equals(name)) {
                return route;
            }
        }
        throw new AssertionError("no route " + name);
    }

    @Test
    void readCacheSettingsAreShownRegression() throws Exception {
        JsonNode getState = route("get-state");
        assertThat(getState.get("coalesce").asBoolean()).isTrue();
        assertThat(getState.get("stale").get("max_age_ms").asLong()).isEqualTo(10_000);
        assertThat(getState.get("stale").get("while_revalidate_ms").asLong()).isZero();
        assertThat(getState.get("fresh_for_ms").asLong()).isZero();

        JsonNode prometheus = route("prometheus");
        assertThat(prometheus.get("fresh_for_ms").asLong()).isEqualTo(1_000);

        JsonNode configRead = route("config-read");
        assertThat(configRead.get("coalesce").asBoolean()).isFalse();
        assertThat(configRead.get("stale").isNull()).isTrue();
    }

    /**
     * Issue 13: the queued route showed a timeout, attempts and breaker as if its requests were calls
     * to Mist; they are answered by the queue, and those settings apply only to what still goes to Mist.
     */
    @Test
    void theQueuedRouteSaysTheQueueAnswersItRegression() throws Exception {
        JsonNode invalidate = route("invalidate-sessions");

        assertThat(invalidate.get("kind").asText()).isEqualTo("queued");
        assertThat(invalidate.has("timeout_ms")).isFalse();
        assertThat(invalidate.has("attempts")).isFalse();
        assertThat(invalidate.get("queue").get("call_timeout_ms").asLong())
                .isEqualTo(InvalidationsConfig.defaults().callTimeout().toMillis());
        assertThat(invalidate.get("queue").get("paused_while_open").asText()).isEqualTo("mist");
        assertThat(invalidate.get("when_sent_to_mist").has("timeout_ms")).isTrue();
        assertThat(route("get-state").has("timeout_ms")).as("other routes keep their flat shape").isTrue();
    }
}
