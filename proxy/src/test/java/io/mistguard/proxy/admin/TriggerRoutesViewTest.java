package io.mistguard.proxy.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mistguard.proxy.config.ConfigLoader;
import io.mistguard.proxy.config.TriggersConfig;
import io.mistguard.proxy.time.Ticker;
import io.mistguard.proxy.trigger.TriggerObserver;
import io.mistguard.proxy.trigger.TriggerService;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The {@code "triggers"} part of {@code /admin/routes} shows per trigger only what applies (issue #15,
 * findings 17 and 24): a non-blocking trigger has no timeout or fallback (its delivery settings are
 * shown instead), and otherwise, max age and key lines appear only for {@code last-known}.
 */
class TriggerRoutesViewTest {

    @Test
    void adminRoutesShowsOnlyWhatAppliesToEachTrigger() throws Exception {
        TriggersConfig config = ConfigLoader.parse("""
                triggers:
                  policies:
                    PUSH_REWRITE: {fallback: empty}
                """, "t.yaml").triggers();
        EmbeddedChannel loop = new EmbeddedChannel();
        try {
            TriggerService service = new TriggerService(config, (l, request, timeout, p, replayable) -> {
                throw new AssertionError("no call");
            }, loop.eventLoop(), Ticker.system(), TriggerObserver.NONE);
            JsonNode doc = new ObjectMapper().readTree(TriggerRoutesView.withTriggers("{\"routes\":[]}", service.view()));

            Map<String, JsonNode> byName = new HashMap<>();
            doc.get("triggers").get("routes").forEach(r -> byName.put(r.get("trigger").asText(), r));
            JsonNode pushEnd = byName.get("PUSH_END");
            assertThat(pushEnd.get("answer").asText()).isEqualTo("queued");
            assertThat(pushEnd.has("timeout_ms")).isFalse();
            assertThat(pushEnd.has("fallback")).isFalse();
            JsonNode rewrite = byName.get("PUSH_REWRITE");
            assertThat(rewrite.get("fallback").asText()).isEqualTo("empty");
            assertThat(rewrite.has("key_lines")).as("no key without last-known").isFalse();
            assertThat(rewrite.has("otherwise")).isFalse();
            JsonNode userNew = byName.get("USER_NEW");
            assertThat(userNew.get("key_lines").toString()).isEqualTo("[0,5]");
            assertThat(userNew.get("otherwise").asText()).isEqualTo("allow");
            JsonNode delivery = doc.get("triggers").get("delivery");
            assertThat(delivery.get("timeout_ms").asLong()).isEqualTo(5000);
            assertThat(delivery.get("max_attempts").asInt()).isEqualTo(10);
            service.close();
        } finally {
            loop.finishAndReleaseAll();
        }
    }
}
