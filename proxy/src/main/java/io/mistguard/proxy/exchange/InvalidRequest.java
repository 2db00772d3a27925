package io.mistguard.proxy.exchange;

import io.mistguard.proxy.net.BodyRefusal;
import io.mistguard.proxy.net.HostField;
import io.mistguard.proxy.net.RequestTarget;
import io.mistguard.proxy.net.StrictRequestDecoder;
import io.mistguard.proxy.net.TargetSyntax;
import io.mistguard.proxy.net.TransferCodings;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;

/**
 * Why a decoded request must not be forwarded, with the status and reason it is answered with:
 * decoder failures (malformed syntax, ambiguous framing, lines or headers over the limits), the
 * aggregator's refusals (a body over {@code limits.max_body_bytes}, an expectation other than
 * {@code 100-continue}), one mapping for every listener ({@link #undecodable}); transfer
 * codings other than {@code chunked}, a missing, repeated or malformed {@code Host}
 * ({@link HostField}, RFC 9112 §3.2), request targets other than origin-form ({@code /path?query})
 * and the methods mistguard never forwards ({@code CONNECT}, {@code TRACE}). One rule for every
 * listener that forwards: the proxy's port (to Mist) and the trigger listener (to catalyst-api), which
 * until 2026-12-07 checked only the target's characters and sent the rest on. Stateless.
 */
public record InvalidRequest(HttpResponseStatus status, Decision decision, String detail) {

    /**
     * The {@code Allow} field of a 405 (RFC 9110 §15.5.6): the methods Mist's API serves. Any other
     * method but {@code CONNECT} and {@code TRACE} is forwarded too, as Mist treats it like GET (and
     * the trigger listener forwards it to catalyst-api, which decides).
     */
    public static final String ALLOW = "GET, HEAD, POST, PUT, DELETE, OPTIONS, PATCH";

    /**
     * The problem with {@code request}, or {@code null} when it may be forwarded.
     *
     * @param hostRules whether the {@code Host} rules apply (RFC 9112 §3.2: a missing, repeated or
     *     malformed {@code Host}, and a {@code Connection} that names it, are refused); the proxy's
     *     port passes {@code true}. The trigger listener passes {@code false}: its one caller is Mist,
     *     and any refusal of a blocking trigger is a failed attempt to Mist, which after five lets the
     *     viewer in; it sends a trigger on with the {@code Host} it came with, or an empty one
     *     ({@code TriggerHandler}, and the README's trigger section)
     */
    public static InvalidRequest of(FullHttpRequest request, boolean hostRules) {
        if (request.decoderResult().isFailure()) {
            return undecodable(request.decoderResult().cause());
        }
        String codings = TransferCodings.leftOver(request);
        if (codings != null) {
            // The aggregator removed "chunked"; anything left is a coding we cannot undo.
            return new InvalidRequest(HttpResponseStatus.BAD_REQUEST, Decision.BAD_REQUEST,
                    "unsupported Transfer-Encoding: " + codings);
        }
        HttpMethod method = request.method();
        if (method.equals(HttpMethod.CONNECT) || method.equals(HttpMethod.TRACE)) {
            // CONNECT would ask for a tunnel to any host; TRACE would echo the request, credentials
            // included. mistguard is the origin of neither.
            return new InvalidRequest(HttpResponseStatus.METHOD_NOT_ALLOWED, Decision.METHOD_NOT_ALLOWED,
                    method.name() + " is not served");
        }
        String hostProblem = hostRules ? HostField.problem(request) : null;
        if (hostProblem != null) {
            return new InvalidRequest(HttpResponseStatus.BAD_REQUEST, Decision.BAD_REQUEST, hostProblem);
        }
        if (hostRules && HostField.namedByConnection(request.headers())) {
            return new InvalidRequest(HttpResponseStatus.BAD_REQUEST, Decision.BAD_REQUEST,
                    "Connection names Host, which every HTTP/1.1 request carries end to end (RFC 9110 §7.6.1)");
        }
        // Its characters, userinfo and form: authority-form and asterisk-form have no path to route or
        // to hand Mist; absolute-form is accepted and rewritten to origin-form (RequestTarget, RFC 9112 §3.2.2).
        String targetProblem = TargetSyntax.problem(request.uri());
        if (targetProblem != null) {
            return new InvalidRequest(HttpResponseStatus.BAD_REQUEST, Decision.BAD_REQUEST, targetProblem);
        }
        if (RequestTarget.isAbsolute(request.uri()) && !RequestTarget.hasValidAuthority(request.uri())) {
            return new InvalidRequest(HttpResponseStatus.BAD_REQUEST, Decision.BAD_REQUEST,
                    "the request target's authority is not a host[:port]");
        }
        return null;
    }

    /**
     * A request the decoder could not read or the aggregator would not take whole, from the cause it
     * recorded: 414 for a request line over the limit, 431 for header fields over it, 505 for another
     * major HTTP version (RFC 9110 §15.6.6), the aggregator's 413 or 417 ({@link BodyRefusal}), and
     * 400 for anything else (malformed syntax, ambiguous framing: {@link StrictRequestDecoder}); the
     * detail is the decoder's own words.
     */
    private static InvalidRequest undecodable(Throwable cause) {
        String detail = String.valueOf(cause.getMessage());
        if (cause instanceof BodyRefusal refusal) {
            return new InvalidRequest(refusal.reason().status(), Decision.of(refusal.reason()), detail);
        }
        if (cause instanceof StrictRequestDecoder.UnsupportedVersionException) {
            return new InvalidRequest(HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED, Decision.BAD_REQUEST, detail);
        }
        if (cause instanceof TooLongHttpLineException) {
            return new InvalidRequest(HttpResponseStatus.REQUEST_URI_TOO_LONG, Decision.URI_TOO_LONG, detail);
        }
        if (cause instanceof TooLongHttpHeaderException || cause instanceof TooLongFrameException) {
            return new InvalidRequest(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, Decision.HEADER_TOO_LARGE, detail);
        }
        return new InvalidRequest(HttpResponseStatus.BAD_REQUEST, Decision.BAD_REQUEST, detail);
    }
}
