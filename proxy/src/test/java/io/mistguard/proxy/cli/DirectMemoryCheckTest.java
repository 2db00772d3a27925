package io.mistguard.proxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.proxy.config.ConfigLoader;
import io.mistguard.proxy.config.ProxyConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * {@link DirectMemoryCheck}: a warning per message-size limit that one message cannot reach within
 * the JVM's direct memory. Regression: {@code upstream.max_response_bytes} defaulted to 64 MiB under
 * the image's 32 MiB of direct memory, and nothing said that answers over ~22 MiB could not pass.
 */
class DirectMemoryCheckTest {

    private static final long IMAGE_DIRECT = 32L << 20;

    private static ProxyConfig config(String yaml) throws Exception {
        return ConfigLoader.parse(yaml, "m.yaml");
    }

    @Test
    void theDefaultsAndTheShippedConfigFitTheImagesDirectMemory() throws Exception {
        assertThat(DirectMemoryCheck.warnings(ProxyConfig.defaults(), IMAGE_DIRECT)).isEmpty();
        assertThat(DirectMemoryCheck.warnings(ConfigLoader.load(Path.of("..", "deploy", "mistguard.yaml")),
                                              IMAGE_DIRECT)).isEmpty();
    }

    @Test
    void aLimitOverHalfOfDirectMemoryIsWarnedOfByItsKey() throws Exception {
        ProxyConfig config = config("upstream: {max_response_bytes: 64MiB}\nlimits: {max_body_bytes: 17MiB}\n");

        assertThat(DirectMemoryCheck.warnings(config, IMAGE_DIRECT)).containsExactly(
                "upstream.max_response_bytes is 64 MiB, but this JVM's direct memory (-XX:MaxDirectMemorySize) is "
                + "32 MiB for every message in flight: an answer from Mist over about 16 MiB is answered 503 "
                + "out-of-memory instead of relayed. Lower upstream.max_response_bytes to 16 MiB or less, or raise "
                + "-XX:MaxDirectMemorySize (and the container's memory limit) with it",
                "limits.max_body_bytes is 17 MiB, but this JVM's direct memory (-XX:MaxDirectMemorySize) is 32 MiB "
                + "for every message in flight: a caller's request over about 16 MiB is answered 503 out-of-memory "
                + "instead of relayed. Lower limits.max_body_bytes to 16 MiB or less, or raise "
                + "-XX:MaxDirectMemorySize (and the container's memory limit) with it");
    }

    @Test
    void exactlyHalfFitsAndMoreDirectMemoryMakesRoom() throws Exception {
        assertThat(DirectMemoryCheck.warnings(config("upstream: {max_response_bytes: 16MiB}\n"), IMAGE_DIRECT)).isEmpty();
        assertThat(DirectMemoryCheck.warnings(config("upstream: {max_response_bytes: 64MiB}\n"), 128L << 20)).isEmpty();
    }

    @Test
    void triggerLimitsCountOnlyWithTheTriggerListenerOn() throws Exception {
        assertThat(DirectMemoryCheck.warnings(ProxyConfig.defaults(), 64 << 10))
                .as("the listener is off by default").noneMatch(w -> w.startsWith("triggers."));
        ProxyConfig on = config("triggers: {max_request_bytes: 16MiB, max_response_bytes: 16MiB}\n");

        assertThat(DirectMemoryCheck.warnings(on, 16L << 20))
                .anySatisfy(w -> assertThat(w).startsWith("triggers.max_request_bytes is 16 MiB").contains(
                        "a trigger from Mist over about 8 MiB"))
                .anySatisfy(w -> assertThat(w).startsWith("triggers.max_response_bytes is 16 MiB").contains(
                        "an answer from catalyst-api over about 8 MiB"));
    }

    /** Found by review: 25165825 bytes read "24.0 MiB", which looks like the 24 MiB it is not. */
    @Test
    void aTenthThatReadsAsWholeCarriesItsBytesRegression() throws Exception {
        assertThat(DirectMemoryCheck.warnings(config("upstream: {max_response_bytes: 25165825}\n"), IMAGE_DIRECT))
                .singleElement().asString().startsWith("upstream.max_response_bytes is 24.0 MiB (25165825 bytes), but");
    }

    @Test
    void sizesThatAreNotWholeMibAreGivenToATenth() throws Exception {
        assertThat(DirectMemoryCheck.warnings(config("upstream: {max_response_bytes: 20000000}\n"), 30L << 20))
                .singleElement().asString().startsWith("upstream.max_response_bytes is 19.1 MiB")
                .contains("over about 15 MiB");
    }
}
