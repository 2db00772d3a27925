package io.mistguard.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Regression (found by review): {@code triggers.last_known_max_bytes} and
 * {@code triggers.delivery.max_pending_bytes} loaded at any value from 1 byte, though a store
 * smaller than one answer keeps nothing: with {@code last_known_max_bytes: 100} (each stored answer
 * counts 128 bytes of bookkeeping alone) no answer was ever kept, every {@code last-known} fallback
 * silently became its {@code otherwise}, and {@code check-config} said OK; with a
 * {@code max_pending_bytes} below {@code max_request_bytes}, a non-blocking trigger Mist may send was
 * refused 503 {@code trigger-queue-full} even with the queue empty. Both are now refused at load,
 * at their line and column, with every other problem of the file, when below one item as large as
 * the limit allows, or as its default when that is smaller (raising a limit does not force a store up).
 */
class TriggerStoresTooSmallForOneTriggerRegressionTest {

    private static List<String> problems(String yaml) {
        ConfigException e = catchThrowableOfType(() -> ConfigLoader.parse(yaml, "t.yaml"), ConfigException.class);
        assertThat(e).as("refused:%n%s", yaml).isNotNull();
        return e.problems();
    }

    @Test
    void aLastKnownStoreSmallerThanTheLargestAnswerIsRefused() {
        assertThat(problems("""
                triggers:
                  last_known_max_bytes: 100
                """)).singleElement().asString()
                .startsWith("t.yaml:2:25: triggers.last_known_max_bytes: 100 cannot hold one item of max_response_bytes (64KiB")
                .contains("(expected: at least 65KiB)");
        assertThat(problems("""
                triggers:
                  max_response_bytes: 8MiB
                  last_known_max_bytes: 32KiB
                """)).as("a larger answer limit asks no more than one answer at the default limit")
                .singleElement().asString().contains("triggers.last_known_max_bytes: 32KiB")
                .contains("(expected: at least 65KiB)");
        // Found by the fresh review: equal to the largest answer, the store still held nothing, since
        // every entry also carries its key, content type and 128 bytes.
        assertThat(problems("""
                triggers:
                  max_response_bytes: 100
                  last_known_max_bytes: 100
                """)).singleElement().asString().contains("triggers.last_known_max_bytes: 100 cannot hold one item")
                .contains("(expected: at least 1124)");
    }

    @Test
    void aDeliveryQueueSmallerThanTheLargestTriggerIsRefused() {
        assertThat(problems("""
                triggers:
                  delivery: {max_pending_bytes: 1KiB}
                """)).singleElement().asString()
                .startsWith("t.yaml:2:33: triggers.delivery.max_pending_bytes: 1KiB cannot hold one item of max_request_bytes ")
                .contains("(expected: at least 65KiB)");
        assertThat(problems("""
                triggers:
                  max_request_bytes: 1KiB
                  delivery: {max_pending_bytes: 1KiB}
                """)).as("the fresh review's case: a 1000-byte trigger was refused 503 with the queue empty")
                .singleElement().asString().contains("(expected: at least 2KiB)");
        assertThat(problems("""
                triggers:
                  delivery: {max_pending_bytes: 1KiB}
                  last_known_max_bytes: 1KiB
                """)).as("both, together").hasSize(2);
    }

    @Test
    void raisingTheLimitsDoesNotForceTheStoresUp() throws Exception {
        ProxyConfig config = ConfigLoader.parse("""
                triggers:
                  max_request_bytes: 16MiB
                  max_response_bytes: 16MiB
                """, "t.yaml");
        assertThat(config.triggers().lastKnownMaxBytes()).isEqualTo(4L << 20);
    }

    @Test
    void storesThatHoldTheLargestAnswerAndTriggerLoad() throws Exception {
        ProxyConfig config = ConfigLoader.parse("""
                triggers:
                  max_request_bytes: 4KiB
                  max_response_bytes: 1KiB
                  last_known_max_bytes: 2KiB
                  delivery: {max_pending_bytes: 5KiB}
                """, "t.yaml");
        assertThat(config.triggers().lastKnownMaxBytes()).isEqualTo(2048);
        assertThat(config.triggers().delivery().maxPendingBytes()).isEqualTo(5120);
    }
}
