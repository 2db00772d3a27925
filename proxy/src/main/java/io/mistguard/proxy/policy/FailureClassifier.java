package io.mistguard.proxy.policy;

import io.mistguard.proxy.net.MemoryExhaustion;
import io.mistguard.proxy.upstream.UpstreamException;
import io.mistguard.proxy.upstream.UpstreamFailure;

/**
 * The one place that decides what an attempt's outcome means for the breaker and for retries.
 * Any HTTP answer from Mist, whatever its status, is a success: Mist answered, and its errors are
 * passed through. Every {@link UpstreamFailure} but a cancellation and mistguard's own lack of memory is
 * a breaker failure. Stateless.
 */
final class FailureClassifier {

    private FailureClassifier() {}

    static UpstreamException asUpstream(Throwable cause) {
        return cause instanceof UpstreamException e ? e
                : new UpstreamException(MemoryExhaustion.causedBy(cause) ? UpstreamFailure.OUT_OF_MEMORY
                                        : UpstreamFailure.RESET, String.valueOf(cause));
    }

    /**
     * Timeouts, connect errors, resets, bad and oversized responses count against Mist; a
     * cancellation and mistguard's own lack of memory do not ({@link UpstreamFailure#upstreamsFault}).
     */
    static boolean breakerFailure(UpstreamFailure failure) {
        return failure.upstreamsFault();
    }

    /** The request provably never reached Mist, so even a write may be sent again. */
    static boolean provablyUnsent(UpstreamFailure failure) {
        return failure == UpstreamFailure.CONNECT_REFUSED || failure == UpstreamFailure.CONNECT_TIMEOUT;
    }

    /**
     * Worth another attempt at all: an oversized answer will be oversized again, and another attempt
     * while memory is short would only add to what is waiting for it.
     */
    static boolean retryable(UpstreamFailure failure) {
        return failure != UpstreamFailure.RESPONSE_TOO_LARGE && failure != UpstreamFailure.CANCELLED
                && failure != UpstreamFailure.OUT_OF_MEMORY;
    }
}
