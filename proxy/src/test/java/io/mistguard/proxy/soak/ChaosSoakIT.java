package io.mistguard.proxy.soak;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue #14's chaos soak: the real mistguard (a process of its own, stopped by SIGTERM and started
 * again halfway) in front of the real sim-mist in chaos mode, over loopback, with concurrent callers
 * of every route kind, local and remote, with and without login, and Mist's triggers through the
 * trigger listener. The invariants ({@link Invariants}) are checked throughout and the test fails at
 * the end listing every violation. Two minutes by default; {@code -Dsoak.minutes=N} for longer and
 * {@code -Dsoak.seed=S} to replay a run's fault plan. The report is printed and written to
 * {@code target/soak/report.txt}, beside mistguard's logs and the chaos episodes played.
 */
class ChaosSoakIT {

    @Test
    @Timeout(value = 24, unit = TimeUnit.HOURS) // the soak's own, proportional limit applies first
    void invariantsHoldUnderChaosAcrossARestart() throws Exception {
        SoakSettings settings = SoakSettings.fromSystemProperties(Path.of("target", "soak"));
        SoakReport report = assertTimeoutPreemptively(settings.hardLimit(), () -> new ChaosSoak(settings).run(),
                () -> "the soak did not end within " + settings.hardLimit() + " (seed " + settings.seed() + ")");
        String text = report.render();
        System.out.println(text);
        Files.writeString(settings.dir().resolve("report.txt"), text, StandardCharsets.UTF_8);
        assertThat(report.violations()).as(text).isZero();
    }
}
