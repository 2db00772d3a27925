package io.mistguard.proxy.upstream;

import static java.util.Objects.requireNonNull;

/**
 * The failure of one upstream attempt, carrying its {@link UpstreamFailure} kind. These are expected
 * events when Mist is sick, so the exception carries no stack trace: it is cheap to create and logs
 * as one line.
 */
public final class UpstreamException extends Exception {

    private final UpstreamFailure failure;
    private final String detail;

    public UpstreamException(UpstreamFailure failure, String detail) {
        super(failure.reason() + ": " + detail, null, false, false);
        this.failure = requireNonNull(failure, "failure");
        this.detail = detail;
    }

    /** One human-readable sentence about what happened, without the reason token. */
    public String detail() {
        return detail;
    }

    /** What kind of failure this was. */
    public UpstreamFailure failure() {
        return failure;
    }
}
