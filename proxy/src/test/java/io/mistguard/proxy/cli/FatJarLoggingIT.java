package io.mistguard.proxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged {@code mistguard.jar}, as an operator runs it ({@code java -jar}), logs as the README says:
 * text lines by default, JSON lines with {@code MISTGUARD_LOG_FORMAT=json} or {@code logging.format: json},
 * and an operator's own Logback file when {@code -Dlogback.configurationFile} names one. These are the
 * only tests that run the jar itself and not the test class path, which has {@code logback-test.xml}.
 */
class FatJarLoggingIT {

    private static final Path JAR = Path.of("target", "mistguard.jar");
    private static final String LISTENING = "mistguard listening on";

    @BeforeAll
    static void jarIsBuilt() {
        assertThat(JAR).as("failsafe runs after package, which builds the jar").isRegularFile();
    }

    /**
     * Regression: sim-mist's own {@code logback.xml} (for its own jar) was packed into mistguard's jar,
     * where any {@code logback.xml} makes the default logging stand aside — mistguard logged in
     * sim-mist's format, without its access-log appender.
     */
    @Test
    void theDefaultIsTextLinesWithAnIsoTimeSimMistsLogbackFileDoesNotShadowItRegression(@TempDir Path dir)
            throws Exception {
        String line = listeningLine(run(dir, Map.of(), List.of()));

        assertThat(line).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}(Z|[+-]\\d\\d:\\d\\d) INFO  \\[main\\] "
                + "i\\.m\\.proxy\\.Mistguard - mistguard listening on .*");
    }

    @Test
    void theEnvironmentVariableSwitchesToJsonLines(@TempDir Path dir) throws Exception {
        assertJson(listeningLine(run(dir, Map.of("MISTGUARD_LOG_FORMAT", "json"), List.of())));
    }

    @Test
    void theConfigFileSwitchesToJsonLines(@TempDir Path dir) throws Exception {
        Path config = Files.writeString(dir.resolve("mistguard.yaml"), "logging:\n  format: json\n");

        assertJson(listeningLine(run(dir, Map.of(), List.of("--config", config.toString()))));
    }

    @Test
    void anOperatorsOwnLogbackFileDecides(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("logback.xml"), """
                <configuration>
                  <appender name="mine" class="ch.qos.logback.core.ConsoleAppender">
                    <encoder><pattern>OPERATOR %logger %msg%n</pattern></encoder>
                  </appender>
                  <root level="INFO"><appender-ref ref="mine"/></root>
                </configuration>
                """);

        String line = listeningLine(run(dir, Map.of("MISTGUARD_LOG_FORMAT", "json"),
                List.of("-Dlogback.configurationFile=" + file), List.of()));

        assertThat(line).startsWith("OPERATOR io.mistguard.proxy.Mistguard mistguard listening on");
    }

    private static void assertJson(String line) {
        assertThat(line).startsWith("{").endsWith("}")
                .contains("\"level\":\"INFO\"", "\"loggerName\":\"io.mistguard.proxy.Mistguard\"");
    }

    private static String listeningLine(String output) {
        return output.lines().filter(l -> l.contains(LISTENING)).findFirst()
                .orElseThrow(() -> new AssertionError("no listening line in: " + output));
    }

    private static String run(Path dir, Map<String, String> env, List<String> args) throws Exception {
        return run(dir, env, List.of(), args);
    }

    /** Starts the jar on free loopback ports, waits for its listening line, stops it; returns its output. */
    private static String run(Path dir, Map<String, String> env, List<String> jvmFlags, List<String> args)
            throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(jvmFlags);
        command.addAll(List.of("-jar", JAR.toString(),
                "--listen", "127.0.0.1:" + ChildMistguard.freePort(),
                "--admin-listen", "127.0.0.1:" + ChildMistguard.freePort(),
                "--upstream", "http://127.0.0.1:" + ChildMistguard.freePort()));
        command.addAll(args);
        Path out = dir.resolve("out-" + System.nanoTime() + ".log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile());
        builder.environment().remove("MISTGUARD_LOG_FORMAT");
        builder.environment().putAll(env);
        Process process = builder.start();
        try {
            long deadline = System.nanoTime() + ChildMistguard.WITHIN.toNanos();
            while (!Files.readString(out).contains(LISTENING) && process.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
        } finally {
            process.destroy();
            if (!process.waitFor(ChildMistguard.WITHIN.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
        return Files.readString(out);
    }
}
