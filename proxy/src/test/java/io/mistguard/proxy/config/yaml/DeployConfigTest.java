package io.mistguard.proxy.config.yaml;

import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.proxy.config.ConfigException;
import io.mistguard.proxy.config.ConfigLoader;
import io.mistguard.proxy.config.ProxyConfig;
import io.mistguard.proxy.config.TrustedPeers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;

/** The documented example {@code deploy/mistguard.yaml} must stay loadable, complete and truthful. */
class DeployConfigTest {

    /** Surefire runs with the module directory as working directory. */
    private static final Path EXAMPLE = Path.of("..", "deploy", "mistguard.yaml");

    /** Every key the loader reads; a new key must be documented in the example too. */
    private static final List<String> ALL_KEYS = List.of(
            "listen", "trusted_peers",
            "upstream", "upstream.url", "upstream.connect_timeout", "upstream.max_idle_connections_per_thread",
            "upstream.idle_timeout", "upstream.max_response_bytes",
            "request_timeout",
            "limits", "limits.max_initial_line_bytes", "limits.max_header_bytes", "limits.max_body_bytes",
            "limits.max_connections", "limits.client_idle_timeout", "limits.header_read_timeout",
            "limits.body_read_timeout",
            "admin", "admin.listen", "admin.token",
            "websocket", "websocket.handshake_timeout", "websocket.idle_timeout", "websocket.max_open",
            "logging", "logging.access_log", "logging.format",
            "shutdown_grace",
            "io_threads", "io_transport",
            "breakers", "breakers.mist", "breakers.mist.failure_rate", "breakers.mist.window_time",
            "breakers.mist.minimum_calls", "breakers.mist.open_duration", "breakers.mist.half_open_trials",
            "admissions", "admissions.mist", "admissions.mist.max_concurrent", "admissions.mist.max_queue",
            "admissions.mist.queue_timeout",
            "route_defaults", "route_defaults.timeout", "route_defaults.per_try_timeout", "route_defaults.retry",
            "route_defaults.retry.attempts", "route_defaults.retry.backoff_base", "route_defaults.retry.backoff_max",
            "route_defaults.retry.budget", "route_defaults.retry.budget.ratio", "route_defaults.retry.budget.min_retries",
            "route_defaults.retry.budget.window", "route_defaults.breaker", "route_defaults.admission",
            "route_defaults.rejection", "route_defaults.rejection.status", "route_defaults.rejection.retry_after",
            "cache", "cache.max_bytes", "cache.max_entries",
            "routes",
            "invalidations", "invalidations.batch_size", "invalidations.max_pending_names",
            "invalidations.call_timeout", "invalidations.initial_backoff", "invalidations.max_backoff",
            "invalidations.paused_recheck", "invalidations.checkpoint_interval", "invalidations.state_file",
            "invalidations.shutdown_grace");

    @Test
    void exampleLoadsAndStatesTheDefaults() throws ConfigException {
        assertThat(ConfigLoader.load(EXAMPLE)).isEqualTo(ProxyConfig.defaults());
    }

    @Test
    void exampleDocumentsEveryKey() throws IOException {
        Problems problems = new Problems(EXAMPLE.toString());
        Node root = YamlSource.compose(Files.readString(EXAMPLE), problems).orElseThrow();
        List<String> keys = new ArrayList<>();
        collectKeys(root, "", keys);

        assertThat(keys).containsExactlyElementsOf(ALL_KEYS);
    }

    @Test
    void everyKeyInTheExampleHasACommentAboveItsSection() throws IOException {
        List<String> lines = Files.readAllLines(EXAMPLE);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            boolean topLevelKey = !line.isEmpty() && !line.startsWith("#") && !line.startsWith(" ");
            if (topLevelKey) {
                assertThat(lines.get(i - 1)).as("comment above line %d: %s", i + 1, line).startsWith("#");
            }
        }
    }

    /** The config inside the Kubernetes ConfigMap loads with the real loader and is safe by default. */
    @Test
    void kubernetesSidecarConfigLoadsAndTrustsOnlyThePodsLoopback() throws Exception {
        Path manifest = Path.of("..", "deploy", "kubernetes", "mistguard-sidecar.yaml");
        String configMapYaml = null;
        for (Object document : new org.snakeyaml.engine.v2.api.Load(
                org.snakeyaml.engine.v2.api.LoadSettings.builder().build()).loadAllFromString(Files.readString(manifest))) {
            if (document instanceof java.util.Map<?, ?> map && "ConfigMap".equals(map.get("kind"))) {
                configMapYaml = (String) ((java.util.Map<?, ?>) map.get("data")).get("mistguard.yaml");
            }
        }
        assertThat(configMapYaml).as("a ConfigMap with mistguard.yaml").isNotNull();
        ProxyConfig config = ConfigLoader.parse(configMapYaml, "mistguard-sidecar.yaml#mistguard.yaml");
        assertThat(config.trustedPeers()).isEqualTo(TrustedPeers.defaults());
        assertThat(config.admin().exposureProblem()).as("needs MISTGUARD_ADMIN_TOKEN, as the manifest says")
                .isNotNull();
        assertThat(config.admin().withToken("from-the-secret").exposureProblem()).isNull();
        assertThat(Files.readString(manifest)).contains("kind: NetworkPolicy");
    }

    /** Every key of the {@code triggers:} section (finding 8 of issue #15: it had none in the example). */
    private static final List<String> TRIGGER_KEYS = List.of(
            "triggers", "triggers.listen", "triggers.upstream", "triggers.connect_timeout",
            "triggers.max_request_bytes", "triggers.max_response_bytes",
            "triggers.admission", "triggers.admission.max_concurrent", "triggers.admission.max_queue",
            "triggers.admission.queue_timeout",
            "triggers.breaker", "triggers.breaker.failure_rate", "triggers.breaker.window_time",
            "triggers.breaker.minimum_calls", "triggers.breaker.open_duration", "triggers.breaker.half_open_trials",
            "triggers.last_known_max_entries", "triggers.last_known_max_bytes",
            "triggers.delivery", "triggers.delivery.max_pending", "triggers.delivery.max_pending_bytes",
            "triggers.delivery.max_concurrent", "triggers.delivery.timeout", "triggers.delivery.max_attempts",
            "triggers.delivery.initial_backoff", "triggers.delivery.max_backoff",
            "triggers.default", "triggers.default.blocking", "triggers.default.timeout", "triggers.default.fallback",
            "triggers.policies", "triggers.policies.USER_NEW", "triggers.policies.USER_NEW.blocking",
            "triggers.policies.USER_NEW.timeout", "triggers.policies.USER_NEW.fallback",
            "triggers.policies.USER_NEW.otherwise", "triggers.policies.USER_NEW.max_age",
            "triggers.policies.USER_NEW.key_lines");

    /**
     * The example's commented-out {@code triggers:} section, uncommented, is every key of the section
     * with its default: it loads to exactly the defaults with the listener on.
     */
    @Test
    void missingTriggersSectionInTheExampleRegression() throws Exception {
        List<String> lines = Files.readAllLines(EXAMPLE);
        int start = lines.indexOf("#triggers:");
        assertThat(start).as("a commented-out triggers: section").isPositive();
        StringBuilder section = new StringBuilder();
        for (String line : lines.subList(start, lines.size())) {
            assertThat(line).as("the section runs to the end of the file, every line commented").startsWith("#");
            section.append(line.substring(1)).append('\n');
        }
        String yaml = section.toString();

        ProxyConfig loaded = ConfigLoader.parse(yaml, "triggers-section");
        assertThat(loaded.triggers()).isEqualTo(io.mistguard.proxy.config.TriggersConfig.defaults()
                .withListen(io.mistguard.proxy.config.TriggersConfig.DEFAULT_LISTEN));
        Problems problems = new Problems("triggers-section");
        List<String> keys = new ArrayList<>();
        collectKeys(YamlSource.compose(yaml, problems).orElseThrow(), "", keys);
        assertThat(keys).containsAll(TRIGGER_KEYS);
        assertThat(keys).as("every built-in policy is shown")
                .containsAll(io.mistguard.proxy.config.TriggersConfig.defaults().policies().keySet().stream()
                        .map(name -> "triggers.policies." + name).toList());
        assertThat(ConfigLoader.load(EXAMPLE).triggers().enabled()).as("commented out: no listener").isFalse();
    }

    private static void collectKeys(Node node, String path, List<String> keys) {
        if (!(node instanceof MappingNode mapping)) {
            return;
        }
        for (NodeTuple tuple : mapping.getValue()) {
            String key = ((ScalarNode) tuple.getKeyNode()).getValue();
            String keyPath = path.isEmpty() ? key : path + '.' + key;
            keys.add(keyPath);
            collectKeys(tuple.getValueNode(), keyPath, keys);
        }
    }
}
