package io.mistguard.proxy.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Which status codes mistguard takes as Mist's final answer ({@link UpstreamCall#isFinalStatus}). */
class FinalStatusTest {

    @ParameterizedTest
    @ValueSource(ints = {200, 204, 304, 403, 499, 503, 599})
    void finalStatusesAreTaken(int code) {
        assertThat(UpstreamCall.isFinalStatus(code)).isTrue();
    }

    /** 101 to a request that named no upgrade, and codes that are none of HTTP's. */
    @ParameterizedTest
    @ValueSource(ints = {0, 99, 101, 199, 600, 999})
    void otherStatusesAreBadResponses(int code) {
        assertThat(UpstreamCall.isFinalStatus(code)).isFalse();
    }
}
