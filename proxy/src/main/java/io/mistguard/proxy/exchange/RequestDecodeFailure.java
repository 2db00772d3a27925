package io.mistguard.proxy.exchange;

import io.mistguard.proxy.net.BodyRefusal;
import io.mistguard.proxy.net.StrictRequestDecoder;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;

/**
 * The answer every mistguard listener gives a request it could not read or would not take whole,
 * from the cause its decoder or aggregator recorded: 414 for a request line over the limit, 431 for
 * header fields over it, 505 for another major HTTP version (RFC 9110 §15.6.6), the aggregator's
 * 413 or 417 ({@link BodyRefusal}), and 400 for anything else the decoder refused (malformed syntax,
 * ambiguous framing: {@link StrictRequestDecoder}). One rule for the proxy, admin and trigger
 * listeners, so that the same bytes get the same status on each. Immutable.
 *
 * @param status the status to answer with
 * @param decision how it is counted and logged
 * @param detail why, for the answer's body: the decoder's own words
 */
public record RequestDecodeFailure(HttpResponseStatus status, Decision decision, String detail) {

    /** The answer to a request whose decoder result failed with {@code cause}. */
    public static RequestDecodeFailure of(Throwable cause) {
        String detail = String.valueOf(cause.getMessage());
        if (cause instanceof BodyRefusal refusal) {
            return new RequestDecodeFailure(refusal.reason().status(), Decision.of(refusal.reason()), detail);
        }
        if (cause instanceof StrictRequestDecoder.UnsupportedVersionException) {
            return new RequestDecodeFailure(HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED, Decision.BAD_REQUEST, detail);
        }
        if (cause instanceof TooLongHttpLineException) {
            return new RequestDecodeFailure(HttpResponseStatus.REQUEST_URI_TOO_LONG, Decision.URI_TOO_LONG, detail);
        }
        if (cause instanceof TooLongHttpHeaderException || cause instanceof TooLongFrameException) {
            return new RequestDecodeFailure(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE,
                                            Decision.HEADER_TOO_LARGE, detail);
        }
        return new RequestDecodeFailure(HttpResponseStatus.BAD_REQUEST, Decision.BAD_REQUEST, detail);
    }
}
