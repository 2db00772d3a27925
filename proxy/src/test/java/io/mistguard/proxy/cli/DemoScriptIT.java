package io.mistguard.proxy.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import ch.qos.logback.classic.Level;
import io.mistguard.proxy.Mistguard;
import io.mistguard.proxy.config.HostPort;
import io.mistguard.proxy.config.InvalidationsConfig;
import io.mistguard.proxy.config.ProxyConfig;
import io.mistguard.proxy.logging.LogCapture;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Issue 13: the demo promised a 504 where a quick copy-paster got a stale 200. This pastes every
 * step of the printed script into bash, in order, as a fast person would, against a live demo
 * (in-process sim-mist, real mistguard, the shipped route table), and checks that each "You see"
 * line appears in that step's output. Needs bash and curl ({@code .ci/run} installs curl).
 */
class DemoScriptIT {

    @Test
    void everyStepShowsWhatTheScriptSaysRegression() throws Exception {
        assumeThat(onPath("curl") && onPath("bash")).as("bash and curl on PATH").isTrue();
        ProxyConfig config = ProxyConfig.defaults().withListen(new HostPort("127.0.0.1", 0))
                .withAdminListen(new HostPort("127.0.0.1", 0))
                .withInvalidations(InvalidationsConfig.defaults().withStateFile(null));
        try (DemoUpstream demo = DemoUpstream.start();
             Mistguard mistguard = Mistguard.start(config.withUpstream(demo.url()));
             LogCapture drainerLog = LogCapture.of("io.mistguard.proxy.invalidation.Drainer", Level.INFO)) {
            DemoScript script = demo.script(mistguard);
            String setup = String.join("\n", script.setup());
            for (int i = 0; i < script.steps().size(); i++) {
                DemoScript.Step step = script.steps().get(i);
                String output = bash(setup + "\n" + String.join("\n", step.lines()));
                for (String expected : step.expect()) {
                    assertThat(output).as("step %d (%s)", i + 1, step.title()).contains(expected);
                }
            }
            assertThat(drainerLog.events()).extracting(e -> e.getFormattedMessage())
                    .contains("invalidate_sessions delivered for 1 stream(s) in one call");
        }
    }

    @Test
    void theScriptIsWhatTheDemoPrints() throws Exception {
        ProxyConfig config = ProxyConfig.defaults().withListen(new HostPort("127.0.0.1", 0))
                .withAdminListen(new HostPort("127.0.0.1", 0))
                .withInvalidations(InvalidationsConfig.defaults().withStateFile(null));
        try (DemoUpstream demo = DemoUpstream.start();
             Mistguard mistguard = Mistguard.start(config.withUpstream(demo.url()))) {
            java.io.StringWriter printed = new java.io.StringWriter();
            demo.printWelcome(new java.io.PrintWriter(printed), mistguard);

            assertThat(printed.toString()).contains(String.join(System.lineSeparator(), demo.script(mistguard).render()))
                    .contains("3. GetState again").contains("This is the point");
        }
    }

    private static String bash(String script) throws IOException, InterruptedException {
        Process process = new ProcessBuilder("bash", "-c", script).redirectErrorStream(true).start();
        process.getOutputStream().close();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("step still running after 60 s:\n" + script);
        }
        return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    private static boolean onPath(String program) {
        try {
            Process p = new ProcessBuilder("bash", "-c", "command -v " + program).start();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }
}
