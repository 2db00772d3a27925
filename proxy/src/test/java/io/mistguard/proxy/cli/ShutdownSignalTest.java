package io.mistguard.proxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.mistguard.proxy.logging.LogCapture;
import org.junit.jupiter.api.Test;

/** What a stop signal does once mistguard is stopping already. */
class ShutdownSignalTest {

    /** Found by review: a second SIGTERM during the drain was ignored without a word. */
    @Test
    void aSecondStopSignalDuringTheDrainIsLoggedAndChangesNothingRegression() throws Exception {
        try (LogCapture log = LogCapture.of(ShutdownSignal.class.getName(), Level.INFO)) {
            ShutdownSignal signal = new ShutdownSignal();
            signal.receive("TERM");
            signal.receive("INT");

            assertThat(signal.await()).as("the first one is the stop").isEqualTo("SIGTERM");
            assertThat(log.events()).singleElement().satisfies(event -> {
                assertThat(event.getLevel()).isEqualTo(Level.WARN);
                assertThat(event.getFormattedMessage()).isEqualTo("received SIGINT while already stopping on "
                        + "SIGTERM: the drain goes on to its grace; SIGKILL stops mistguard at once, undrained");
            });
        }
    }
}
