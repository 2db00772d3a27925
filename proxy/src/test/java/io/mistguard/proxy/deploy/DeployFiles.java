package io.mistguard.proxy.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * Reads the files under {@code deploy/} for the tests that keep them honest: YAML documents (with
 * the project's YAML library, snakeyaml-engine), the project version, and the mistguard configs the
 * directory ships. Surefire and failsafe run with the module directory as working directory.
 */
final class DeployFiles {

    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final Path DEPLOY = ROOT.resolve("deploy");
    static final Path SIDECAR = DEPLOY.resolve("kubernetes/mistguard-sidecar.yaml");
    static final Path COMPOSE = DEPLOY.resolve("compose.yaml");
    static final Path ALERTS = DEPLOY.resolve("prometheus/alerts.yaml");
    static final Path DASHBOARD = DEPLOY.resolve("grafana/mistguard.json");

    private DeployFiles() {}

    /** Every YAML document of {@code file}, as plain maps and lists. */
    static List<Object> yamlDocuments(Path file) throws IOException {
        List<Object> documents = new ArrayList<>();
        new Load(LoadSettings.builder().build()).loadAllFromString(Files.readString(file)).forEach(documents::add);
        return documents;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> yaml(Path file) throws IOException {
        return (Map<String, Object>) new Load(LoadSettings.builder().build()).loadFromString(Files.readString(file));
    }

    /** The Kubernetes object of {@code kind} named {@code name} in the sidecar manifest. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> sidecarObject(String kind, String name) throws IOException {
        for (Object document : yamlDocuments(SIDECAR)) {
            Map<String, Object> object = (Map<String, Object>) document;
            Map<String, Object> metadata = (Map<String, Object>) object.get("metadata");
            if (kind.equals(object.get("kind")) && name.equals(metadata.get("name"))) {
                return object;
            }
        }
        throw new AssertionError("no " + kind + " " + name + " in " + SIDECAR);
    }

    /** The mistguard.yaml held by the sidecar manifest's ConfigMap. */
    @SuppressWarnings("unchecked")
    static String configMapConfig() throws IOException {
        return (String) ((Map<String, Object>) sidecarObject("ConfigMap", "mistguard").get("data")).get("mistguard.yaml");
    }

    /** The project version: the parent pom's own {@code <version>}. */
    static String projectVersion() throws IOException {
        Matcher m = Pattern.compile("<artifactId>mistguard-parent</artifactId>\\s*<version>([^<]+)</version>")
                .matcher(Files.readString(ROOT.resolve("pom.xml")));
        if (!m.find()) {
            throw new AssertionError("no version in pom.xml");
        }
        return m.group(1);
    }

    /** Navigates maps and lists: {@code get(doc, "spec", "template", "spec", "containers", 1)}. */
    @SuppressWarnings("unchecked")
    static Object get(Object node, Object... path) {
        Object at = node;
        for (Object key : path) {
            at = key instanceof Integer i ? ((List<Object>) at).get(i) : ((Map<String, Object>) at).get(key);
            if (at == null) {
                throw new AssertionError("nothing at " + List.of(path));
            }
        }
        return at;
    }
}
