package io.mistguard.proxy.deploy;

import static io.mistguard.proxy.deploy.DeployFiles.get;
import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.proxy.cli.RunCommand;
import io.mistguard.proxy.config.Cidr;
import io.mistguard.proxy.config.ConfigLoader;
import io.mistguard.proxy.config.ProxyConfig;
import io.mistguard.proxy.config.TrustedPeers;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Keeps {@code deploy/} honest, the configuration half (the metrics half is {@code DeployHonestyIT}):
 * every mistguard config shipped there loads with the real loader and passes {@code check-config};
 * the sidecar manifest stays safe by default; image tags are the jar's version.
 */
class DeployManifestsTest {

    private int checkConfig(Path file, StringWriter out) {
        CommandLine cli = RunCommand.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(out, true));
        return cli.execute("check-config", file.toString());
    }

    @Test
    void everyShippedConfigLoadsAndPassesCheckConfig(@TempDir Path dir) throws Exception {
        Path configMap = dir.resolve("configmap-mistguard.yaml");
        Files.writeString(configMap, DeployFiles.configMapConfig());
        for (Path file : List.of(DeployFiles.DEPLOY.resolve("mistguard.yaml"), configMap,
                                 DeployFiles.DEPLOY.resolve("compose/mistguard.yaml"))) {
            ConfigLoader.load(file);
            StringWriter out = new StringWriter();
            assertThat(checkConfig(file, out)).as("check-config %s:%n%s", file, out).isZero();
            assertThat(out.toString()).doesNotContain("FAIL");
        }
    }

    @Test
    void theConfigMapChangesRouteDefaultsWithoutCopyingTheTable() throws Exception {
        ProxyConfig config = ConfigLoader.parse(DeployFiles.configMapConfig(), "configmap");

        assertThat(DeployFiles.configMapConfig()).containsPattern("(?m)^route_defaults:").doesNotContainPattern("(?m)^routes:");
        assertThat(config.policy().route("nuke-stream").timeout()).hasSeconds(8);
        assertThat(config.policy().route("get-state").timeout()).hasSeconds(4);
        // Every route finishes inside the drain the pod gives it.
        config.policy().routes().forEach(r -> assertThat(r.timeout()).isLessThan(config.shutdownGrace()));
    }

    @Test
    @SuppressWarnings("unchecked")
    void theSidecarIsSafeByDefault() throws Exception {
        ProxyConfig config = ConfigLoader.parse(DeployFiles.configMapConfig(), "configmap");
        // Only the pod's own loopback is lent Mist's local trust.
        assertThat(config.trustedPeers()).isEqualTo(new TrustedPeers(List.of(Cidr.parse("127.0.0.0/8"),
                                                                            Cidr.parse("::1/128"))));
        // Admin listens on the pod IP, so mistguard refuses to start without a token ...
        assertThat(config.admin().exposureProblem()).isNotNull();
        // ... and the pod always brings one, from a Secret that must exist.
        Map<String, Object> deployment = DeployFiles.sidecarObject("Deployment", "mist");
        List<Object> containers = (List<Object>) get(deployment, "spec", "template", "spec", "containers");
        Map<String, Object> mistguard = (Map<String, Object>) containers.stream()
                .filter(c -> "mistguard".equals(((Map<String, Object>) c).get("name"))).findFirst().orElseThrow();
        Map<String, Object> token = (Map<String, Object>) ((List<Object>) mistguard.get("env")).stream()
                .filter(e -> "MISTGUARD_ADMIN_TOKEN".equals(((Map<String, Object>) e).get("name"))).findFirst()
                .orElseThrow();
        assertThat(get(token, "valueFrom", "secretKeyRef", "optional")).isEqualTo(false);
        // Mist's API port is not exposed by the pod: only mistguard's.
        assertThat(containers.toString()).doesNotContain("4242}").contains("containerPort=4243");
        // Only named callers reach 4243: every ingress rule for it has a from: list.
        Map<String, Object> policy = DeployFiles.sidecarObject("NetworkPolicy", "mist");
        for (Object rule : (List<Object>) get(policy, "spec", "ingress")) {
            Map<String, Object> r = (Map<String, Object>) rule;
            if (r.get("ports").toString().contains("mist-api")) {
                assertThat((List<Object>) r.get("from")).as("who may reach mist-api").isNotEmpty();
            }
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void prometheusScrapesMetricsWithTheAdminToken() throws Exception {
        Map<String, Object> monitor = DeployFiles.sidecarObject("ServiceMonitor", "mistguard");
        Map<String, Object> endpoint = (Map<String, Object>) ((List<Object>) get(monitor, "spec", "endpoints")).get(0);
        assertThat(endpoint.get("path")).isEqualTo("/metrics");
        assertThat(get(endpoint, "authorization", "credentials", "name")).isEqualTo("mistguard-admin");
        Map<String, Object> service = DeployFiles.sidecarObject("Service", "mistguard-admin");
        assertThat((Map<String, Object>) get(service, "metadata", "labels"))
                .containsAllEntriesOf((Map<String, Object>) get(monitor, "spec", "selector", "matchLabels"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void imageTagsAreTheJarVersion() throws Exception {
        String version = DeployFiles.projectVersion();
        List<Object> containers = (List<Object>) get(DeployFiles.sidecarObject("Deployment", "mist"),
                                                     "spec", "template", "spec", "containers");
        String image = (String) ((Map<String, Object>) containers.get(1)).get("image");
        assertThat(image).endsWith("/mistguard:" + version);
        assertThat(get(DeployFiles.yaml(DeployFiles.COMPOSE), "services", "mistguard", "image"))
                .isEqualTo("mistguard:" + version);
    }
}
