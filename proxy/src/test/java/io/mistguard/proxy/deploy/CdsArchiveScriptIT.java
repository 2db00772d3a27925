package io.mistguard.proxy.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.proxy.LoopbackPorts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code deploy/cds-archive.sh}, which the image build runs (no container engine runs here, so this is
 * where its training start is exercised): it makes an archive this JVM accepts for the packaged jar,
 * and it fails, writing nothing, when the training start fails — an image build must not pass with an
 * archive of a start that never got going.
 */
class CdsArchiveScriptIT {

    private static final Path SCRIPT = DeployFiles.DEPLOY.resolve("cds-archive.sh");
    private static final Path JAR = Path.of("target", "mistguard.jar");

    @Test
    void makesAnArchiveTheJvmAcceptsForTheJar(@TempDir Path dir) throws Exception {
        Path archive = dir.resolve("mistguard.jsa");

        Result made = run(dir, JAR.toString(), archive.toString(), DeployFiles.DEPLOY.resolve("mistguard.yaml").toString(),
                "-XX:+UseSerialGC", "-Xmx128m");

        assertThat(made.status()).as("cds-archive.sh: %s", made.output()).isZero();
        assertThat(made.output()).contains("wrote " + archive);
        // From another directory, by absolute path, as the image runs it. Regression: the script dumped the
        // class path as given, so an archive made for a relative JAR was refused from any other directory.
        Result check = exec(dir, new ProcessBuilder(java(), "-XX:+UseSerialGC", "-Xmx128m", "-Xshare:on",
                "-XX:SharedArchiveFile=" + archive, "-cp", JAR.toAbsolutePath().toString(), "-version").directory(dir.toFile()));
        assertThat(check.status()).as("java -Xshare:on with the archive: %s", check.output()).isZero();
        assertThat(check.output()).contains("sharing");
    }

    @Test
    void aTrainingStartThatFailsFailsTheScriptAndWritesNoArchive(@TempDir Path dir) throws Exception {
        Path archive = dir.resolve("mistguard.jsa");
        Path broken = Files.writeString(dir.resolve("broken.yaml"), "routes: [\n");

        Result made = run(dir, JAR.toString(), archive.toString(), broken.toString());

        assertThat(made.status()).isNotZero();
        assertThat(made.output()).contains("configuration refused", "ended before it was ready");
        assertThat(archive).doesNotExist();
    }

    /**
     * Review: a jar whose path has a space gave an archive the JVM accepts yet loads none of mistguard's
     * classes from (the class path is spelt differently), and every check passed. The script now checks
     * that mistguard's own classes load from the archive.
     */
    @Test
    void anArchiveThatServesNoneOfMistguardsClassesFailsTheScriptRegression(@TempDir Path dir) throws Exception {
        Path spaced = Files.createDirectories(dir.resolve("with space"));
        Path jar = Files.copy(JAR, spaced.resolve("mistguard.jar"));
        Path archive = dir.resolve("mistguard.jsa");

        Result made = run(dir, jar.toString(), archive.toString(), DeployFiles.DEPLOY.resolve("mistguard.yaml").toString(),
                "-XX:+UseSerialGC", "-Xmx128m");

        assertThat(made.status()).as(made.output()).isNotZero();
        assertThat(made.output()).contains("serves none of mistguard's classes");
        assertThat(archive).doesNotExist();
    }

    private static Result run(Path dir, String jar, String archive, String config, String... flags) throws Exception {
        List<String> command = new ArrayList<>(List.of("bash", SCRIPT.toString(), jar, archive, config));
        command.addAll(List.of(flags));
        ProcessBuilder builder = new ProcessBuilder(command);
        // The script listens on PORT and PORT + 1; PORT + 2 is its upstream, where nothing may listen.
        builder.environment().put("CDS_TRAINING_PORT", Integer.toString(LoopbackPorts.freeRun(3)));
        return exec(dir, builder);
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static Result exec(Path dir, String... command) throws Exception {
        return exec(dir, new ProcessBuilder(command));
    }

    private static Result exec(Path dir, ProcessBuilder builder) throws Exception {
        Path out = Files.createTempFile(dir, "out", ".log");
        Process process = builder.redirectErrorStream(true).redirectOutput(out.toFile()).start();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("timed out: " + builder.command() + "\n" + Files.readString(out));
        }
        return new Result(process.exitValue(), Files.readString(out));
    }

    private record Result(int status, String output) {}
}
