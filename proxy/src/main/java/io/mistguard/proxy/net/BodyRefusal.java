package io.mistguard.proxy.net;

import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * Why {@link RequestAggregator} will not hand a request on whole: its body is larger than the
 * listener's limit (413, RFC 9110 §15.5.14), or it asks for an expectation other than
 * {@code 100-continue} (417, RFC 9110 §10.1.1). It is the failure cause of the invalid request the
 * aggregator passes downstream in the request's place, so that the listener's last handler answers it
 * in its turn, like any other request it cannot serve. Immutable.
 */
public final class BodyRefusal extends DecoderException {

    private static final long serialVersionUID = 1L;

    /** The two refusals an aggregator makes. */
    public enum Reason {
        /** The body, announced or received, is over the limit: 413. */
        BODY_TOO_LARGE(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE),
        /** {@code Expect} names something other than {@code 100-continue}: 417. */
        EXPECTATION_FAILED(HttpResponseStatus.EXPECTATION_FAILED);

        private final HttpResponseStatus status;

        Reason(HttpResponseStatus status) {
            this.status = status;
        }

        /** The status the caller is answered with. */
        public HttpResponseStatus status() {
            return status;
        }
    }

    private final Reason reason;

    /**
     * @param reason which refusal, not null
     * @param detail the text the caller gets, saying what was over which limit
     */
    public BodyRefusal(Reason reason, String detail) {
        super(detail, null);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }

    /** No stack trace: this is an answer to an input, not a fault in mistguard. */
    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }
}
