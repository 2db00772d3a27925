package io.mistguard.proxy.policy;

import io.mistguard.proxy.upstream.UpstreamException;
import io.mistguard.proxy.upstream.UpstreamFailure;

/**
 * The one place that decides what an attempt's outcome means for the breaker and for retries.
 * Any HTTP answer from Mist, whatever its status, is a success: Mist answered, and its errors are
 * passed through. Every {@link UpstreamFailure} except a cancellation is a breaker failure. Stateless.
 */
final class FailureClassifier {

    private FailureClassifier() {}

    static UpstreamException asUpstream(Throwable cause) {
        return cause instanceof UpstreamException e ? e : new UpstreamException(UpstreamFailure.RESET, String.valueOf(cause));
    }

    /** Timeouts, connect errors, resets, bad and oversized responses count against Mist. */
    static boolean breakerFailure(UpstreamFailure failure) {
        return failure != UpstreamFailure.CANCELLED;
    }

    /** The request provably never reached Mist, so even a write may be sent again. */
    static boolean provablyUnsent(UpstreamFailure failure) {
        return failure == UpstreamFailure.CONNECT_REFUSED || failure == UpstreamFailure.CONNECT_TIMEOUT;
    }

    /** Worth another attempt at all: an oversized answer will be oversized again. */
    static boolean retryable(UpstreamFailure failure) {
        return failure != UpstreamFailure.RESPONSE_TOO_LARGE && failure != UpstreamFailure.CANCELLED;
    }
}
