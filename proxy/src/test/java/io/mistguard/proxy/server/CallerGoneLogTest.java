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
import org.junit.jupiter.api.Test;

/**
 * Found by review: a WebSocket caller gone during the handshake was logged with the 503 of an
 * answer nobody received, where every other caller gone first is logged 499 with no bytes.
 */
class CallerGoneLogTest {

    @Test
    void aWebSocketCallerGoneDuringTheHandshakeIsLoggedAs499WithNoBytesRegression() {
        try (LogCapture log = LogCapture.of("mistguard.access", Level.INFO)) {
            AccessLog.logUpgrade(HttpMethod.GET, "/ws",
                    new HandshakeOutcome(HttpResponseStatus.SERVICE_UNAVAILABLE, Decision.CANCELLED, 0),
                    TimeUnit.MILLISECONDS.toNanos(500));
            assertThat(log.events()).singleElement().extracting(ILoggingEvent::getFormattedMessage).asString()
                    .startsWith("route=websocket decision=cancelled status=499 bytes=0 ");
        }
    }

    /** The caller left while Mist's decline was being written: 499, with what the socket took of its body. */
    @Test
    void aWebSocketCallerGoneMidAnswerIsLoggedAs499WithTheBytesTaken() {
        try (LogCapture log = LogCapture.of("mistguard.access", Level.INFO)) {
            AccessLog.logUpgrade(HttpMethod.GET, "/ws",
                    new HandshakeOutcome(HttpResponseStatus.SERVICE_UNAVAILABLE, Decision.CANCELLED, 4096),
                    TimeUnit.MILLISECONDS.toNanos(500));
            assertThat(log.events()).singleElement().extracting(ILoggingEvent::getFormattedMessage).asString()
                    .startsWith("route=websocket decision=cancelled status=499 bytes=4096 ");
        }
    }

    @Test
    void anUpgradeMistDeclinedKeepsItsStatusAndBytes() {
        try (LogCapture log = LogCapture.of("mistguard.access", Level.INFO)) {
            AccessLog.logUpgrade(HttpMethod.GET, "/nope",
                    new HandshakeOutcome(HttpResponseStatus.OK, Decision.PROXIED, 12), TimeUnit.MILLISECONDS.toNanos(5));
            assertThat(log.events()).singleElement().extracting(ILoggingEvent::getFormattedMessage).asString()
                    .startsWith("route=websocket decision=proxied status=200 bytes=12 ");
        }
    }
}
