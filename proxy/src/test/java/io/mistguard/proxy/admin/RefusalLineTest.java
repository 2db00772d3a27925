package io.mistguard.proxy.admin;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.mistguard.proxy.logging.LogCapture;
import io.mistguard.proxy.time.ManualClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The admin listener's trace of refused requests: one WARN line, then at most one per quiet time, with a count. */
class RefusalLineTest {

    /** Found by review: a wrong token (401) or a cross-origin page (403) was refused without a word. */
    @Test
    void refusedAdminRequestsLeaveARateLimitedTraceRegression() {
        ManualClock clock = new ManualClock();
        RefusalLine line = new RefusalLine(clock);
        try (LogCapture log = LogCapture.of(RefusalLine.class.getName(), Level.INFO)) {
            line.refused(401, "missing or wrong Authorization: Bearer token", "/203.0.113.7:5000", "POST",
                         "/admin/breakers/mist/force-open");
            for (int i = 0; i < 5; i++) {
                clock.advance(Duration.ofSeconds(1));
                line.refused(401, "missing or wrong Authorization: Bearer token", "/203.0.113.7:5000", "POST",
                             "/admin/reload");
            }
            assertThat(log.events()).hasSize(1);
            clock.advance(Duration.ofSeconds(5));
            line.refused(403, "cross-origin request refused: Origin http://evil.example", "/127.0.0.1:5001", "POST",
                         "/admin/reload");

            assertThat(log.events()).extracting(e -> e.getLevel()).containsOnly(Level.WARN);
            assertThat(log.events()).extracting(e -> e.getFormattedMessage()).containsExactly(
                    "admin /203.0.113.7:5000: refused POST /admin/breakers/mist/force-open with 401: missing or wrong "
                    + "Authorization: Bearer token",
                    "admin /127.0.0.1:5001: refused POST /admin/reload with 403: cross-origin request refused: Origin "
                    + "http://evil.example (and 5 more refused in the 10 s before)");
        }
    }
}
