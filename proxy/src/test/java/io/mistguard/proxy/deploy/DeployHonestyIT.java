package io.mistguard.proxy.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mistguard.proxy.Mistguard;
import io.mistguard.proxy.config.HostPort;
import io.mistguard.proxy.config.InvalidationsConfig;
import io.mistguard.proxy.config.TriggersConfig;
import io.mistguard.proxy.config.ProxyConfig;
import io.mistguard.sim.SimMist;
import io.mistguard.sim.fault.FaultRule;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Keeps {@code deploy/} honest, the metrics half: every metric name the alerts and the dashboard use
 * is exported by a running mistguard after traffic, and so is every label value they select on
 * exactly ({@code route="get-state"}, {@code reason="stale"}, {@code le="4.0"}). The scrape is
 * written to {@code target/deploy-honesty/metrics.prom}, where {@code .ci/run} runs
 * {@code promtool check metrics} on it; this test does too when promtool is on the PATH.
 */
class DeployHonestyIT {

    static final Path SCRAPE = Path.of("target", "deploy-honesty", "metrics.prom");
    private static final Pattern METRIC = Pattern.compile("\\bmistguard_[a-z_]+\\b");
    private static final Pattern SELECTOR = Pattern.compile("(mistguard_[a-z_]+)\\{([^}]*)}");
    private static final Pattern MATCHER = Pattern.compile("([a-z_]+)\\s*(=~|=)\\s*\"([^\"]*)\"");
    private static final String GET_STATE = "{\"active_streams\":[\"source\"],\"stats_streams\":[\"clients\","
            + "\"lastms\"],\"push_list\":true,\"push_auto_list\":true}";

    /** Sample lines of the scrape: metric name to the label sets it was exported with. */
    private static final Map<String, List<Map<String, String>>> samples = new HashMap<>();
    private static String scrape;

    @BeforeAll
    static void scrapeARunningProxyAfterTraffic() throws Exception {
        ProxyConfig config = ProxyConfig.defaults().withListen(new HostPort("127.0.0.1", 0))
                .withAdminListen(new HostPort("127.0.0.1", 0))
                .withInvalidations(InvalidationsConfig.defaults().withStateFile(null))
                // The trigger listener on, so that its series (from the start) are in the scrape too.
                .withTriggers(TriggersConfig.defaults().withListen(new HostPort("127.0.0.1", 0)));
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        try (SimMist mist = SimMist.builder().streams(3, 2).start();
             Mistguard mistguard = Mistguard.start(config.withUpstream("http://127.0.0.1:" + mist.port()))) {
            String proxy = "http://127.0.0.1:" + mistguard.proxyAddress().getPort();
            post(http, proxy + "/api2", GET_STATE);                               // proxied, stored
            post(http, proxy + "/", "{\"invalidate_sessions\":\"video+stream0\"}"); // queued, delivered
            http.send(HttpRequest.newBuilder(URI.create(proxy + "/koekjes")).build(), HttpResponse.BodyHandlers.ofString());
            mist.faults().add(FaultRule.any().hang());
            post(http, proxy + "/api2", GET_STATE);                               // stale at the budget
            mist.faults().clear();
            scrape = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + mistguard.adminAddress().getPort() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString())
                    .body();
        }
        Files.createDirectories(SCRAPE.getParent());
        Files.writeString(SCRAPE, scrape);
        for (String line : scrape.lines().filter(l -> !l.startsWith("#") && !l.isBlank()).toList()) {
            int brace = line.indexOf('{');
            int space = line.indexOf(' ');
            String name = line.substring(0, brace >= 0 && brace < space ? brace : space);
            Map<String, String> labels = new HashMap<>();
            if (brace >= 0 && brace < space) {
                Matcher m = MATCHER.matcher(line.substring(brace, line.indexOf('}')));
                while (m.find()) {
                    labels.put(m.group(1), m.group(3));
                }
            }
            samples.computeIfAbsent(name, k -> new ArrayList<>()).add(labels);
        }
    }

    private static void post(HttpClient http, String url, String command) throws IOException, InterruptedException {
        http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString("command=" + URLEncoder.encode(command,
                                StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The PromQL of every alert rule. */
    @SuppressWarnings("unchecked")
    private static List<String> alertExpressions() throws IOException {
        List<String> exprs = new ArrayList<>();
        for (Object group : (List<Object>) DeployFiles.yaml(DeployFiles.ALERTS).get("groups")) {
            for (Object rule : (List<Object>) ((Map<String, Object>) group).get("rules")) {
                exprs.add((String) ((Map<String, Object>) rule).get("expr"));
            }
        }
        return exprs;
    }

    /** The PromQL of every dashboard target and template variable. */
    private static List<String> dashboardExpressions() throws IOException {
        JsonNode dashboard = new ObjectMapper().readTree(DeployFiles.DASHBOARD.toFile());
        List<String> exprs = new ArrayList<>();
        dashboard.findValues("expr").forEach(e -> exprs.add(e.asText()));
        dashboard.path("templating").path("list").forEach(v -> {
            if (v.has("query") && v.get("query").isTextual()) {
                exprs.add(v.get("query").asText());
            }
        });
        return exprs;
    }

    private static Set<String> metricNames(List<String> exprs) {
        Set<String> names = new LinkedHashSet<>();
        exprs.forEach(e -> METRIC.matcher(e).results().forEach(r -> names.add(r.group())));
        return names;
    }

    @Test
    void everyMetricTheAlertsUseIsExported() throws IOException {
        List<String> exprs = alertExpressions();
        assertThat(exprs).hasSizeGreaterThanOrEqualTo(6);
        assertThat(metricNames(exprs)).isNotEmpty().allSatisfy(name -> assertThat(samples).containsKey(name));
        assertExactSelectorsExist(exprs);
    }

    @Test
    void everyMetricTheDashboardUsesIsExported() throws IOException {
        List<String> exprs = dashboardExpressions();
        assertThat(exprs).hasSizeGreaterThanOrEqualTo(10);
        assertThat(metricNames(exprs)).isNotEmpty().allSatisfy(name -> assertThat(samples).containsKey(name));
        assertExactSelectorsExist(exprs);
    }

    /**
     * Each {@code name{label="value"}} (and each plain alternative of {@code label=~"a|b"}) matches
     * at least one exported sample, so no panel or alert selects a route, reason or bucket that
     * does not exist.
     */
    private static void assertExactSelectorsExist(List<String> exprs) {
        for (String expr : exprs) {
            Matcher selector = SELECTOR.matcher(expr);
            while (selector.find()) {
                String name = selector.group(1);
                Matcher m = MATCHER.matcher(selector.group(2));
                while (m.find()) {
                    String label = m.group(1);
                    String value = m.group(3);
                    if (value.contains("$")) {
                        continue; // a Grafana variable
                    }
                    List<String> wanted = m.group(2).equals("=") ? List.of(value) : List.of(value.split("\\|"));
                    for (String v : wanted) {
                        assertThat(samples.get(name)).as("%s{%s=\"%s\"} in %s", name, label, v, expr)
                                .anyMatch(labels -> v.equals(labels.get(label)));
                    }
                }
            }
        }
    }

    @Test
    void theScrapeFollowsTheExpositionFormatWherePromtoolIsInstalled() throws Exception {
        assertThat(scrape).contains("# TYPE mistguard_decisions_total counter");
        Process which = new ProcessBuilder("bash", "-c", "command -v promtool").start();
        if (!which.waitFor(10, TimeUnit.SECONDS) || which.exitValue() != 0) {
            return; // .ci/run installs promtool and checks the same file after the build
        }
        Process promtool = new ProcessBuilder("promtool", "check", "metrics").redirectErrorStream(true)
                .redirectInput(SCRAPE.toFile()).start();
        assertThat(promtool.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String report = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        // 0: clean; 3: lint findings only. Findings about Micrometer's jvm_/process_/system_ meters are
        // theirs to name; none may concern a mistguard meter.
        assertThat(promtool.exitValue()).as(report).isIn(0, 3);
        assertThat(report.lines().filter(l -> l.startsWith("mistguard_"))).as(report).isEmpty();
    }
}
