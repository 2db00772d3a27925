package io.mistguard.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.HttpVersion;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** When a client's FIN is taken as a half-close and when it is probed (regression: half-closed requests unanswered). */
class ClientHalfCloseTest {

    @ParameterizedTest(name = "same pass {0}, {1} us after, {2} -> probe {3}")
    @CsvSource({
            "true,  50000, HTTP/1.1, false",
            "false,   100, HTTP/1.1, false",
            "false,  1000, HTTP/1.1, false",
            "false,  1001, HTTP/1.1, true",
            "false, 50000, HTTP/1.1, true",
            "false, 50000, HTTP/1.0, false"})
    void finWithTheRequestIsAHalfCloseAndALaterOneIsProbedOnHttp11(boolean samePass, long micros, String version,
                                                                  boolean probes) {
        assertThat(ClientHalfClose.probes(samePass, TimeUnit.MICROSECONDS.toNanos(micros), HttpVersion.valueOf(version)))
                .isEqualTo(probes);
    }
}
