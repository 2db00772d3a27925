package io.mistguard.proxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged jar with a class-data-sharing archive it cannot use is warned about at start, and
 * serves anyway; with one made for it, there is no warning. A static archive the JVM refuses leaves it
 * with no shared class at all, and the JVM says nothing about it at its default log level.
 */
class UnusableClassSharingArchiveIT {

    private static final String WARNING = "could not be used, so no class is shared";

    @Test
    void anArchiveMadeForAnotherJarIsWarnedAboutAndMistguardServes(@TempDir Path dir) throws Exception {
        Path archive = Files.writeString(dir.resolve("other.jsa"), "not an archive of this jar");

        String output = PackagedJar.run(dir, Map.of(), List.of("-XX:SharedArchiveFile=" + archive), List.of());

        assertThat(output).contains(PackagedJar.LISTENING).contains("WARN").contains(archive + " " + WARNING);
    }

    @Test
    void anArchiveMadeForThisJarIsUsedWithoutAWarning(@TempDir Path dir) throws Exception {
        Path archive = dir.resolve("mistguard.jsa");
        Process dump = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xshare:dump", "-XX:SharedArchiveFile=" + archive, "-cp", PackagedJar.JAR.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("dump.log").toFile()).start();
        assertThat(dump.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(dump.exitValue()).as("java -Xshare:dump: %s", Files.readString(dir.resolve("dump.log"))).isZero();

        String output = PackagedJar.run(dir, Map.of(), List.of("-XX:SharedArchiveFile=" + archive), List.of());

        assertThat(output).contains(PackagedJar.LISTENING).doesNotContain(WARNING);
    }
}
