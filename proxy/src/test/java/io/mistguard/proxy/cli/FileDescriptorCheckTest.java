package io.mistguard.proxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.proxy.config.ConfigLoader;
import io.mistguard.proxy.config.ProxyConfig;
import org.junit.jupiter.api.Test;

/**
 * {@link FileDescriptorCheck}: a warning when the process may open fewer files than its connection
 * limits need. Found with {@code ulimit -n 120}: past it, accept failed with "Too many open files"
 * every second, and callers waited unanswered in the backlog instead of getting 503
 * too-many-connections; nothing at start had said so.
 */
class FileDescriptorCheckTest {

    @Test
    void theDefaultsNeedTheirConnectionsTheAdminListenersAndAReserve() {
        assertThat(FileDescriptorCheck.needed(ProxyConfig.defaults())).isEqualTo(10_000 + 64 + 256);
        assertThat(FileDescriptorCheck.warning(ProxyConfig.defaults(), 10_320)).isEmpty();
        assertThat(FileDescriptorCheck.warning(ProxyConfig.defaults(), 1 << 20)).isEmpty();
    }

    @Test
    void aLimitBelowWhatTheConnectionsNeedIsWarnedOfWithBothWaysOut() {
        assertThat(FileDescriptorCheck.warning(ProxyConfig.defaults(), 4096)).hasValue(
                "limits.max_connections is 10000, but this process may open only 4096 files (ulimit -n): past that, "
                + "accepting a connection fails with \"Too many open files\", callers wait unanswered instead of "
                + "getting 503 too-many-connections, and no connection to Mist can be opened. Raise the hard limit "
                + "(ulimit -Hn, systemd's LimitNOFILE, the container runtime's nofile) to at least 10320, or lower "
                + "limits.max_connections to 3776 or less");
    }

    @Test
    void whatFitsIsWhatIsLeftForCallers() throws Exception {
        ProxyConfig small = ConfigLoader.parse("limits: {max_connections: 500}\ntriggers: {}\n", "m.yaml");
        assertThat(FileDescriptorCheck.needed(small)).as("the trigger listener's cap is not load").isEqualTo(820);
        assertThat(FileDescriptorCheck.warning(small, 820)).isEmpty();
        assertThat(FileDescriptorCheck.warning(small, 819)).hasValueSatisfying(w -> assertThat(w)
                .startsWith("limits.max_connections is 500, but this process may open only 819 files")
                .endsWith("to at least 820, or lower limits.max_connections to 499 or less"));
        assertThat(FileDescriptorCheck.warning(small, 321)).hasValueSatisfying(w -> assertThat(w)
                .endsWith("lower limits.max_connections to 1 or less"));
    }

    /** Found by review: the advice was to lower a limit already at 1, which could never help. */
    @Test
    void whenMistguardsOwnDescriptorsDoNotFitOnlyRaisingTheLimitIsAdvisedRegression() throws Exception {
        ProxyConfig one = ConfigLoader.parse("limits: {max_connections: 1}\n", "m.yaml");
        assertThat(FileDescriptorCheck.warning(one, 64)).hasValueSatisfying(w -> assertThat(w)
                .contains("to at least 321").doesNotContain("lower limits.max_connections")
                .endsWith("mistguard's own 320 (the admin listener, upstream connections, the JVM's files) do not "
                          + "fit below it"));
    }

    /** Found by review: a limit near Integer.MAX_VALUE overflowed the sum, and no warning was given. */
    @Test
    void aHugeLimitDoesNotOverflowTheSumRegression() throws Exception {
        ProxyConfig huge = ConfigLoader.parse("limits: {max_connections: 2147483647}\n", "m.yaml");
        assertThat(FileDescriptorCheck.needed(huge)).isEqualTo(2147483647L + 320);
        assertThat(FileDescriptorCheck.warning(huge, 1 << 20)).isPresent();
    }

    @Test
    void anUnknownLimitSaysNothing() {
        assertThat(FileDescriptorCheck.warning(ProxyConfig.defaults(), -1)).isEmpty();
    }
}
