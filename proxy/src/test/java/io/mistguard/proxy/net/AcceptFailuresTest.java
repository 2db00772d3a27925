package io.mistguard.proxy.net;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.mistguard.proxy.logging.LogCapture;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Regression: out of file descriptors, a listener's failed {@code accept} reached the pipeline's
 * tail, which logged a WARN with a whole stack trace every second. Now one line at most every 10 s,
 * counting the failures in between, with the remedy for a lack of descriptors.
 */
class AcceptFailuresTest {

    private static final IOException EMFILE = new IOException("accept(..) failed with error(-24): Too many open files");

    private final MockTicker time = Ticker.newMockTicker();

    @Test
    void aSpellOfFailuresIsReportedAtOnceThenAtMostEveryTenSecondsWithItsCountRegression() {
        try (LogCapture log = LogCapture.of(AcceptFailures.class.getName(), Level.WARN)) {
            EmbeddedChannel listener = EmbeddedChannel.builder().ticker(time).build();
            AcceptFailures.install(listener, "proxy");

            listener.pipeline().fireExceptionCaught(EMFILE);
            for (int second = 1; second <= 10; second++) {
                time.advance(1, TimeUnit.SECONDS);
                listener.pipeline().fireExceptionCaught(EMFILE);
            }

            List<String> lines = log.events().stream().map(ILoggingEvent::getFormattedMessage).toList();
            assertThat(lines).hasSize(2);
            assertThat(lines.get(0)).startsWith("proxy listener: accepting a connection failed 1 time(s), last: "
                                                + "accept(..) failed with error(-24): Too many open files;")
                    .contains("raise ulimit -n (its hard limit) or lower limits.max_connections");
            assertThat(lines.get(1)).startsWith("proxy listener: accepting a connection failed 10 time(s) in the last "
                                                + "10 s,");
            assertThat(log.events()).allSatisfy(e -> assertThat(e.getThrowableProxy()).as("no stack trace").isNull());
            assertThat(AcceptFailures.count(listener)).as("every failure counted, reported or not").isEqualTo(11);
            assertThat(listener.finishAndReleaseAll()).isFalse();
        }
    }

    @Test
    void aListenerWithoutTheHandlerCountsNoFailures() {
        EmbeddedChannel listener = new EmbeddedChannel();
        assertThat(AcceptFailures.count(listener)).isZero();
        assertThat(listener.finishAndReleaseAll()).isFalse();
    }

    @Test
    void anotherFailureNamesNoRemedyForDescriptors() {
        try (LogCapture log = LogCapture.of(AcceptFailures.class.getName(), Level.WARN)) {
            EmbeddedChannel listener = EmbeddedChannel.builder().ticker(time).build();
            AcceptFailures.install(listener, "trigger");

            listener.pipeline().fireExceptionCaught(new IOException("accept(..) failed: Software caused connection abort"));

            assertThat(log.events()).singleElement().extracting(ILoggingEvent::getFormattedMessage).asString()
                    .startsWith("trigger listener: accepting a connection failed 1 time(s), last: ")
                    .doesNotContain("ulimit");
            listener.finishAndReleaseAll();
        }
    }
}
