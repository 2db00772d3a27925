package io.mistguard.proxy.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The image makes its class-data-sharing archive under the JVM flags its ENTRYPOINT runs with (all but
 * {@code -XX:SharedArchiveFile}). Some flags shape the archive, and the JVM refuses an archive made under
 * others: without the ENTRYPOINT's {@code -Xmx128m}, a build machine with ~120 GiB of memory or more made
 * an archive with compressed pointers off, which every start of the image then refused, silently
 * (found by review; {@code deploy/cds-archive.sh} now also checks the archive under the flags it is given).
 */
class DockerfileCdsFlagsTest {

    @Test
    void theArchiveIsMadeUnderTheEntrypointsFlags() throws Exception {
        List<String> lines = Files.readAllLines(DeployFiles.DEPLOY.resolve("Dockerfile"));

        assertThat(archiveFlags(lines)).isNotEmpty().containsExactlyElementsOf(entrypointFlags(lines));
    }

    /** The ENTRYPOINT's JVM flags: between {@code java} and {@code -jar}, without the archive flag. */
    private static List<String> entrypointFlags(List<String> lines) throws Exception {
        String entrypoint = lines.stream().filter(l -> l.startsWith("ENTRYPOINT")).reduce((a, b) -> b).orElseThrow();
        List<String> argv = List.of(new ObjectMapper().readValue(entrypoint.substring("ENTRYPOINT".length()), String[].class));
        return argv.subList(1, argv.indexOf("-jar")).stream().filter(f -> !f.startsWith("-XX:SharedArchiveFile=")).toList();
    }

    /** The flags the RUN gives deploy/cds-archive.sh after its three arguments. */
    private static List<String> archiveFlags(List<String> lines) {
        StringBuilder run = new StringBuilder();
        boolean inRun = false;
        for (String line : lines) {
            if (line.startsWith("RUN") && line.contains("cds-archive.sh")) {
                inRun = true;
            }
            if (inRun) {
                boolean continued = line.endsWith("\\");
                run.append(continued ? line.substring(0, line.length() - 1) : line).append(' ');
                if (!continued) {
                    break;
                }
            }
        }
        List<String> words = new ArrayList<>(Arrays.asList(run.toString().trim().split("\\s+")));
        int script = words.indexOf("/tmp/cds-archive.sh");
        assertThat(script).as("the RUN calls /tmp/cds-archive.sh: %s", run).isPositive();
        return words.subList(script + 4, words.size());
    }
}
