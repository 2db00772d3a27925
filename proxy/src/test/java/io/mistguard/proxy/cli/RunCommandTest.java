package io.mistguard.proxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The command line: help, version, and precise refusals (exit 2) before anything starts. */
class RunCommandTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = RunCommand.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void helpListsEveryFlag() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString()).contains("--config", "--listen", "--upstream", "--admin-listen", "--demo",
                "--version", "Exit status");
    }

    @Test
    void versionNamesTheProduct() {
        assertThat(run("--version")).isZero();
        assertThat(out.toString()).startsWith("mistguard ");
    }

    @Test
    void badConfigFileIsRefusedWithEveryProblem(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, "lisen: 127.0.0.1:1\nrequest_timeout: 5\n");

        assertThat(run("--config", file.toString())).isEqualTo(2);

        assertThat(err.toString()).contains("configuration refused")
                .contains("bad.yaml:1:1: lisen: unknown key \"lisen\"")
                .contains("bad.yaml:2:18: request_timeout: \"5\" is not a duration");
    }

    @Test
    void missingConfigFileIsRefused(@TempDir Path dir) {
        assertThat(run("--config", dir.resolve("absent.yaml").toString())).isEqualTo(2);
        assertThat(err.toString()).contains("absent.yaml").contains("not found");
    }

    @Test
    void badFlagValuesAreRefused() {
        assertThat(run("--listen", "nonsense")).isEqualTo(2);
        assertThat(err.toString()).contains("--listen");

        assertThat(run("--upstream", "https://127.0.0.1:4242")).isEqualTo(2);
        assertThat(err.toString()).contains("https");
    }

    @Test
    void unknownFlagIsAUsageError() {
        assertThat(run("--nope")).isEqualTo(2);
        assertThat(err.toString()).contains("Unknown option: '--nope'");
    }
}
