package io.mistguard.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.mistguard.proxy.exchange.Decision;
import io.mistguard.proxy.logging.LogCapture;
import io.mistguard.proxy.server.tunnel.HandshakeOutcome;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Regression (found by review): every WebSocket upgrade's access line said {@code attempts=1} and
 * {@code upstream_ms} equal to {@code total_ms}, also when mistguard refused the upgrade itself
 * ({@code bad-upgrade}, {@code upgrade-unsupported}, {@code too-many-tunnels}, {@code bad-request})
 * and Mist never saw it: an operator reading the log blamed Mist's latency for a refusal of
 * mistguard's. Those lines now say {@code upstream_ms=0 attempts=0}, as every other refusal's does.
 */
class UpgradeRefusalLoggedAsMistAttemptRegressionTest {

    @ParameterizedTest(name = "{1}")
    @CsvSource({
            "400, BAD_UPGRADE,         0",
            "501, UPGRADE_UNSUPPORTED, 0",
            "503, TOO_MANY_TUNNELS,    0",
            "400, BAD_REQUEST,         0",
            "502, CONNECT_REFUSED,     1",
            "504, TIMEOUT,             1",
            "101, PROXIED,             1",
    })
    void onlyAnUpgradeThatReachedMistCountsAnAttempt(int status, Decision decision, int attempts) {
        try (LogCapture log = LogCapture.of("mistguard.access", Level.INFO)) {
            AccessLog.logUpgrade(HttpMethod.GET, "/ws",
                    new HandshakeOutcome(HttpResponseStatus.valueOf(status), decision, 0),
                    TimeUnit.MILLISECONDS.toNanos(7));
            String upstream = attempts == 0 ? "upstream_ms=0 attempts=0 " : "upstream_ms=7 attempts=1 ";
            assertThat(log.events()).singleElement().extracting(ILoggingEvent::getFormattedMessage).asString()
                    .contains("total_ms=7 " + upstream);
        }
    }
}
