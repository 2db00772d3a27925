package io.mistguard.proxy.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Issue 16: the README's status-page section points at a screenshot that is in the repository, and
 * its {@code kubectl} lines name what the shipped sidecar manifest has: the deployment, the admin
 * port and the Secret holding the token.
 */
class StatusPageDocsTest {

    private static final Pattern IMAGE = Pattern.compile("!\\[[^]]*status page[^]]*]\\(([^)]+)\\)");

    private static String readme() throws IOException {
        return Files.readString(DeployFiles.ROOT.resolve("README.md"));
    }

    @Test
    void theScreenshotTheReadmeShowsIsAPngInTheRepository() throws IOException {
        Matcher image = IMAGE.matcher(readme());
        assertThat(image.find()).as("a status page image in the README").isTrue();
        Path png = DeployFiles.ROOT.resolve(image.group(1));

        assertThat(png).isRegularFile();
        byte[] magic = Arrays.copyOf(Files.readAllBytes(png), 8);
        assertThat(magic).isEqualTo(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
    }

    @Test
    @SuppressWarnings("unchecked")
    void thePortForwardLinesMatchTheSidecarManifest() throws IOException {
        Map<String, Object> deployment = DeployFiles.yamlDocuments(DeployFiles.SIDECAR).stream()
                .map(d -> (Map<String, Object>) d).filter(d -> "Deployment".equals(d.get("kind"))).findFirst()
                .orElseThrow();
        String name = (String) ((Map<String, Object>) deployment.get("metadata")).get("name");
        Map<String, Object> pod = (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>)
                deployment.get("spec")).get("template")).get("spec");
        Map<String, Object> mistguard = ((List<Map<String, Object>>) pod.get("containers")).stream()
                .filter(c -> "mistguard".equals(c.get("name"))).findFirst().orElseThrow();
        Object adminPort = ((List<Map<String, Object>>) mistguard.get("ports")).stream()
                .filter(p -> "admin".equals(p.get("name"))).findFirst().orElseThrow().get("containerPort");
        Map<String, Object> tokenRef = ((List<Map<String, Object>>) mistguard.get("env")).stream()
                .filter(e -> "MISTGUARD_ADMIN_TOKEN".equals(e.get("name"))).findFirst()
                .map(e -> (Map<String, Object>) ((Map<String, Object>) e.get("valueFrom")).get("secretKeyRef"))
                .orElseThrow();

        assertThat(readme())
                .contains("kubectl port-forward deploy/" + name + " " + adminPort + ":" + adminPort)
                .contains("kubectl get secret " + tokenRef.get("name") + " -o jsonpath='{.data." + tokenRef.get("key")
                          + "}'");
    }
}
