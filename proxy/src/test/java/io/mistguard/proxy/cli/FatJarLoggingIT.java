package io.mistguard.proxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged {@code mistguard.jar}, as an operator runs it ({@code java -jar}), logs as the README says:
 * text lines by default, JSON lines with {@code MISTGUARD_LOG_FORMAT=json} or {@code logging.format: json},
 * and an operator's own Logback file when {@code -Dlogback.configurationFile} names one. The jar itself
 * ({@link PackagedJar}), not the test class path, which has {@code logback-test.xml}.
 */
class FatJarLoggingIT {

    private static final String LISTENING = PackagedJar.LISTENING;

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

    /**
     * The jar lists one SLF4J provider, mistguard's ({@code DefaultLoggingProvider}), so SLF4J binds it
     * without a word: with Logback's listed as well, it warned about two providers at every start.
     */
    @Test
    void theJarListsOneSlf4jProviderMistguardsAndSlf4jSaysNothing(@TempDir Path dir) throws Exception {
        try (JarFile jar = new JarFile(PackagedJar.JAR.toFile())) {
            String services = new String(jar.getInputStream(jar.getEntry(
                    "META-INF/services/org.slf4j.spi.SLF4JServiceProvider")).readAllBytes(), StandardCharsets.UTF_8);
            assertThat(services.lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")))
                    .containsExactly("io.mistguard.proxy.logging.DefaultLoggingProvider");
        }
        String output = run(dir, Map.of(), List.of());
        assertThat(output).contains(LISTENING).doesNotContain("SLF4J");
    }

    /**
     * Regression: {@code -Dlogback.statusListenerClass} showed nothing once mistguard configured Logback
     * itself; Logback's start-up runs again then, its messages reach the listener, and the default
     * logging applies in its turn.
     */
    @Test
    void aStatusListenerGetsLogbacksStartUpMessagesRegression(@TempDir Path dir) throws Exception {
        String output = PackagedJar.run(dir, Map.of(),
                List.of("-Dlogback.statusListenerClass=ch.qos.logback.core.status.OnConsoleStatusListener"), List.of());

        assertThat(output).contains("|-INFO in ", "io.mistguard.proxy.logging.DefaultLogging");
        assertThat(listeningLine(output)).matches("\\d{4}-\\d\\d-\\d\\dT\\S+ INFO  \\[main\\] i\\.m\\.proxy\\.Mistguard - .*");
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
    void theConfigFilesJsonHoldsWhenTheEnvironmentVariableIsEmpty(@TempDir Path dir) throws Exception {
        Path config = Files.writeString(dir.resolve("mistguard.yaml"), "logging:\n  format: json\n");

        assertJson(listeningLine(run(dir, Map.of("MISTGUARD_LOG_FORMAT", ""), List.of("--config", config.toString()))));
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

        String line = listeningLine(PackagedJar.run(dir, Map.of("MISTGUARD_LOG_FORMAT", "json"),
                List.of("-Dlogback.configurationFile=" + file), List.of()));

        assertThat(line).startsWith("OPERATOR io.mistguard.proxy.Mistguard mistguard listening on");
    }

    /**
     * Regression: check-config passed a file that a start refused, because it never read the environment:
     * with MISTGUARD_LOG_FORMAT=yaml it printed OK and exited 0.
     */
    @Test
    void checkConfigRefusesAnUnknownLogFormatFromTheEnvironmentAsAStartDoesRegression(@TempDir Path dir)
            throws Exception {
        String shipped = Path.of("..", "deploy", "mistguard.yaml").toString();

        PackagedJar.Ended checked = PackagedJar.exec(dir, Map.of("MISTGUARD_LOG_FORMAT", "yaml"), List.of("check-config", shipped));

        assertThat(checked.status()).as(checked.output()).isEqualTo(2);
        assertThat(checked.output()).contains("configuration refused",
                "MISTGUARD_LOG_FORMAT: \"yaml\" is not a log format (expected: text or json)");
        assertThat(PackagedJar.exec(dir, Map.of("MISTGUARD_LOG_FORMAT", "json"), List.of("check-config", shipped)).status())
                .isZero();
        // A bad file and a bad variable: both listed, as a start lists them.
        Path bad = Files.writeString(dir.resolve("bad.yaml"), "io_threads: -1\n");
        PackagedJar.Ended both = PackagedJar.exec(dir, Map.of("MISTGUARD_LOG_FORMAT", "yaml"), List.of("check-config", bad.toString()));
        assertThat(both.status()).isEqualTo(2);
        assertThat(both.output()).contains("io_threads", "MISTGUARD_LOG_FORMAT");
    }

    /** A -Dlogback.configurationFile that names nothing leaves the default in force and says so. */
    @Test
    void aMissingOperatorFileLeavesTheDefaultAndWarnsRegression(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("missing.xml");

        String output = PackagedJar.run(dir, Map.of(), List.of("-Dlogback.configurationFile=" + missing), List.of());

        assertThat(output).contains("WARN", "-Dlogback.configurationFile=" + missing + " names nothing Logback can read");
        assertThat(listeningLine(output)).matches("\\d{4}-\\d\\d-\\d\\dT.* INFO  \\[main\\] i\\.m\\.proxy\\.Mistguard - .*");
        assertThat(output).doesNotContain("DEBUG");
    }

    /** Review: with logging.format json, the missing-file warning was the one text line of a JSON log. */
    @Test
    void theMissingFileWarningIsInTheConfigFilesFormatRegression(@TempDir Path dir) throws Exception {
        Path config = Files.writeString(dir.resolve("mistguard.yaml"), "logging:\n  format: json\n");

        String output = PackagedJar.run(dir, Map.of(), List.of("-Dlogback.configurationFile=" + dir.resolve("missing.xml")),
                List.of("--config", config.toString()));

        assertThat(output.lines()).isNotEmpty().allSatisfy(line -> assertThat(line).startsWith("{").endsWith("}"));
        assertThat(output).contains("names nothing Logback can read");
    }

    @Test
    void anEmptyOperatorFileNameLeavesTheDefaultAndWarnsRegression(@TempDir Path dir) throws Exception {
        String output = PackagedJar.run(dir, Map.of(), List.of("-Dlogback.configurationFile="), List.of());

        assertThat(output).contains("WARN", "names nothing Logback can read", PackagedJar.LISTENING);
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
        return PackagedJar.run(dir, env, List.of(), args);
    }
}
