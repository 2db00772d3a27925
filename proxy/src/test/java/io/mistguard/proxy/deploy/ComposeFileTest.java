package io.mistguard.proxy.deploy;

import static io.mistguard.proxy.deploy.DeployFiles.get;
import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.proxy.config.ConfigLoader;
import io.mistguard.proxy.config.ProxyConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code deploy/compose.yaml}, checked without a container engine (none runs in CI): its services
 * are the four of the issue and wired together; every file it mounts exists; Prometheus loads the
 * alerts from where they are mounted and scrapes mistguard's admin port with the token mistguard is
 * given; Grafana is provisioned with the dashboard.
 */
class ComposeFileTest {

    private static Map<String, Object> compose;
    private static Map<String, Object> services;

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void load() throws Exception {
        compose = DeployFiles.yaml(DeployFiles.COMPOSE);
        services = (Map<String, Object>) compose.get("services");
    }

    @SuppressWarnings("unchecked")
    private static List<String> volumes(String service) {
        return (List<String>) get(services, service, "volumes");
    }

    /** The container path a host file is mounted at in {@code service}, checking the file exists. */
    private static String mountOf(String service, String hostPath) {
        for (String volume : volumes(service)) {
            String[] parts = volume.split(":");
            if (parts[0].equals(hostPath)) {
                return parts[1];
            }
        }
        throw new AssertionError(service + " does not mount " + hostPath);
    }

    @Test
    void hasTheFourServicesAndEveryDependencyExists() {
        assertThat(services).containsOnlyKeys("sim-mist", "mistguard", "prometheus", "grafana");
        services.forEach((name, service) -> {
            @SuppressWarnings("unchecked")
            List<String> dependsOn = (List<String>) ((Map<String, Object>) service).getOrDefault("depends_on", List.of());
            assertThat(services.keySet()).as("%s depends on", name).containsAll(dependsOn);
        });
    }

    @Test
    void everyMountedFileExists() {
        List<String> missing = new ArrayList<>();
        for (String service : services.keySet()) {
            for (String volume : volumes(service)) {
                String host = volume.split(":")[0];
                Path path = DeployFiles.DEPLOY.resolve(host).normalize();
                if (host.equals("../sim-mist/target/sim-mist.jar")) {
                    continue; // built by `mvn package`, as the file's header says
                }
                if (!Files.exists(path)) {
                    missing.add(service + ": " + host);
                }
            }
        }
        assertThat(missing).isEmpty();
        assertThat(get(services, "mistguard", "build", "dockerfile")).isEqualTo("deploy/Dockerfile");
        assertThat(DeployFiles.ROOT.resolve((String) get(services, "mistguard", "build", "dockerfile"))).exists();
    }

    @Test
    void mistguardSitsInSimMistsNetworkAndListensWhereItsPortsArePublished() throws Exception {
        assertThat(get(services, "mistguard", "network_mode")).isEqualTo("service:sim-mist");
        String configPath = mountOf("mistguard", "./compose/mistguard.yaml");
        assertThat(get(services, "mistguard", "command").toString()).contains(configPath);
        ProxyConfig config = ConfigLoader.load(DeployFiles.DEPLOY.resolve("compose/mistguard.yaml"));
        assertThat(config.upstream().url()).isEqualTo("http://127.0.0.1:4242");
        assertThat(get(services, "sim-mist", "command").toString()).contains("--port, 4242");
        String ports = get(services, "sim-mist", "ports").toString();
        assertThat(ports).contains(":" + config.listen().port() + ":" + config.listen().port())
                .contains(":" + config.admin().listen().port() + ":" + config.admin().listen().port());
    }

    @Test
    @SuppressWarnings("unchecked")
    void prometheusLoadsTheAlertsAndScrapesMistguardWithItsToken() throws Exception {
        String alertsAt = mountOf("prometheus", "./prometheus/alerts.yaml");
        String configAt = mountOf("prometheus", "./compose/prometheus.yml");
        assertThat(get(services, "prometheus", "command").toString()).contains("--config.file=" + configAt);
        Map<String, Object> prometheus = DeployFiles.yaml(DeployFiles.DEPLOY.resolve("compose/prometheus.yml"));
        assertThat((List<String>) prometheus.get("rule_files")).containsExactly(alertsAt);

        Map<String, Object> job = ((List<Map<String, Object>>) prometheus.get("scrape_configs")).stream()
                .filter(j -> "mistguard".equals(j.get("job_name"))).findFirst().orElseThrow();
        assertThat(job.get("metrics_path")).isEqualTo("/metrics");
        assertThat(get(job, "authorization", "credentials"))
                .isEqualTo(get(services, "mistguard", "environment", "MISTGUARD_ADMIN_TOKEN"));
        String simMistAddress = (String) get(services, "sim-mist", "networks", "demo", "ipv4_address");
        ProxyConfig config = ConfigLoader.load(DeployFiles.DEPLOY.resolve("compose/mistguard.yaml"));
        assertThat(get(job, "static_configs", 0, "targets", 0))
                .isEqualTo(simMistAddress + ":" + config.admin().listen().port());
    }

    @Test
    @SuppressWarnings("unchecked")
    void grafanaIsProvisionedWithTheDashboardAndThisPrometheus() throws Exception {
        String dashboardAt = mountOf("grafana", "./grafana/mistguard.json");
        String providersAt = mountOf("grafana", "./compose/grafana/dashboards");
        assertThat(providersAt).isEqualTo("/etc/grafana/provisioning/dashboards");
        Map<String, Object> providers = DeployFiles.yaml(DeployFiles.DEPLOY.resolve("compose/grafana/dashboards/mistguard.yaml"));
        assertThat(dashboardAt).startsWith(get(providers, "providers", 0, "options", "path") + "/");

        assertThat(mountOf("grafana", "./compose/grafana/datasources")).isEqualTo("/etc/grafana/provisioning/datasources");
        Map<String, Object> datasources = DeployFiles.yaml(DeployFiles.DEPLOY.resolve("compose/grafana/datasources/prometheus.yaml"));
        String prometheusAddress = (String) get(services, "prometheus", "networks", "demo", "ipv4_address");
        assertThat(get(datasources, "datasources", 0, "url")).isEqualTo("http://" + prometheusAddress + ":9090");
    }
}
