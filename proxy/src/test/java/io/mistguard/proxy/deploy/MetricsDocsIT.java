package io.mistguard.proxy.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.proxy.Mistguard;
import io.mistguard.proxy.config.ConfigLoader;
import io.mistguard.proxy.config.HostPort;
import io.mistguard.proxy.config.ProxyConfig;
import io.mistguard.proxy.config.TriggersConfig;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Docs drift of the metrics: every {@code mistguard_*} family a running mistguard exports (the
 * shipped config, with a trigger listener so that its meters are there too) is named in the
 * README's Metrics table, and every name the table spells out is exported.
 * {@code mistguard_websocket_tunnels_open} was exported and named nowhere an operator would look;
 * this test is the class fix.
 */
class MetricsDocsIT {

    private static final Pattern TYPE_LINE = Pattern.compile("(?m)^# TYPE (mistguard_[a-z0-9_]+) ([a-z]+)$");
    private static final Pattern FULL_NAME = Pattern.compile("`(mistguard_[a-z0-9_]+)`");
    private static final Pattern SHORT_NAME = Pattern.compile("`(_[a-z0-9_]+)`");

    @Test
    void everyExportedMeterFamilyIsNamedInTheReadmesMetricsTable() throws Exception {
        ProxyConfig shipped = ConfigLoader.load(DeployFiles.DEPLOY.resolve("mistguard.yaml"));
        ProxyConfig config = shipped.withListen(new HostPort("127.0.0.1", 0))
                .withAdminListen(new HostPort("127.0.0.1", 0))
                .withInvalidations(shipped.invalidations().withStateFile(null))
                .withTriggers(TriggersConfig.defaults().withListen(new HostPort("127.0.0.1", 0)));
        Mistguard mistguard = Mistguard.start(config);
        String scrape;
        try {
            scrape = mistguard.scrape();
        } finally {
            mistguard.close();
        }
        Set<String> documented = documentedNames(metricsSection(Files.readString(DeployFiles.ROOT.resolve("README.md"))));
        List<String> exported = exportedFamilies(scrape);
        assertThat(exported).as("families in the scrape").hasSizeGreaterThan(20);
        List<String> missing = new ArrayList<>();
        for (String family : exported) {
            if (!documented.contains(family) && !documented.contains(family.replaceFirst("_total$", ""))) {
                missing.add(family);
            }
        }
        assertThat(missing).as("exported but not in README's Metrics table").isEmpty();
        List<String> stale = new ArrayList<>();
        for (List<String> spellings : namesAsWritten(metricsSection(Files.readString(DeployFiles.ROOT.resolve("README.md"))))) {
            if (spellings.stream().noneMatch(name -> exported.contains(name) || exported.contains(name + "_total"))) {
                stale.add(spellings.get(0));
            }
        }
        assertThat(stale).as("in README's Metrics table but not exported").isEmpty();
    }

    /**
     * Each name the table's first column writes, as the names it may stand for: a full name for
     * itself, a shortened one ({@code `_queued`}) for each reading against its cell's full names.
     */
    private static List<List<String>> namesAsWritten(String section) {
        List<List<String>> names = new ArrayList<>();
        for (String line : section.split("\n")) {
            if (!line.startsWith("| `mistguard_")) {
                continue;
            }
            String cell = line.substring(1, line.indexOf('|', 1));
            List<String> prefixes = new ArrayList<>();
            Matcher full = FULL_NAME.matcher(cell);
            while (full.find()) {
                names.add(List.of(full.group(1)));
                prefixes.addAll(prefixesOf(full.group(1)));
            }
            Matcher shortName = SHORT_NAME.matcher(cell);
            while (shortName.find()) {
                List<String> readings = new ArrayList<>();
                for (String prefix : prefixes) {
                    readings.add(prefix + shortName.group(1));
                }
                names.add(readings);
            }
        }
        return names;
    }

    /** {@code mistguard_a_b} → {@code mistguard}, {@code mistguard_a}. */
    private static List<String> prefixesOf(String name) {
        List<String> prefixes = new ArrayList<>();
        for (int i = name.indexOf('_'); i > 0; i = name.indexOf('_', i + 1)) {
            prefixes.add(name.substring(0, i));
        }
        return prefixes;
    }

    /** The README from its {@code ### Metrics} heading to the next heading. */
    private static String metricsSection(String readme) {
        int start = readme.indexOf("\n### Metrics\n");
        assertThat(start).as("README's Metrics section").isNotNegative();
        int end = readme.indexOf("\n#", start + 1);
        return readme.substring(start, end < 0 ? readme.length() : end);
    }

    /**
     * The names in the table's first column. A cell may shorten later names to their ending, as in
     * {@code `mistguard_admission_inflight`, `_queued`}: each ending is read against every prefix of
     * the cell's full name that ends before an underscore.
     */
    private static Set<String> documentedNames(String section) {
        Set<String> names = new LinkedHashSet<>();
        for (String line : section.split("\n")) {
            if (!line.startsWith("| `mistguard_")) {
                continue;
            }
            String cell = line.substring(1, line.indexOf('|', 1));
            Matcher full = FULL_NAME.matcher(cell);
            List<String> prefixes = new ArrayList<>();
            while (full.find()) {
                String name = full.group(1);
                names.add(name);
                prefixes.addAll(prefixesOf(name));
            }
            Matcher shortName = SHORT_NAME.matcher(cell);
            while (shortName.find()) {
                for (String prefix : prefixes) {
                    names.add(prefix + shortName.group(1));
                }
            }
        }
        return names;
    }

    /** Each {@code mistguard_} family in the scrape; a histogram's or summary's {@code _max} gauge goes with it. */
    private static List<String> exportedFamilies(String scrape) {
        Map<String, String> types = new HashMap<>();
        Matcher type = TYPE_LINE.matcher(scrape);
        while (type.find()) {
            types.put(type.group(1), type.group(2));
        }
        List<String> families = new ArrayList<>();
        for (Map.Entry<String, String> family : types.entrySet()) {
            String name = family.getKey();
            String base = types.get(name.endsWith("_max") ? name.substring(0, name.length() - 4) : name);
            if (name.endsWith("_max") && ("histogram".equals(base) || "summary".equals(base))) {
                continue;
            }
            families.add(name);
        }
        families.sort(null);
        return families;
    }
}
