package io.mistguard.proxy.net;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMessage;

/**
 * The transfer codings left on a message once it was aggregated: the aggregator undoes
 * {@code chunked} and removes it from {@code Transfer-Encoding}, so anything still listed there is a
 * coding mistguard cannot undo ({@code gzip}, {@code deflate}, {@code compress}). Such a message
 * cannot be passed on with a {@code Content-Length}: its body is still coded, and the field that
 * said so is hop-by-hop and goes (RFC 9112 §6.1: a recipient that removes a transfer coding must
 * decode it). A request with one gets 400 (the proxy listener); an answer with one is a bad response
 * (502), on the API path and in the WebSocket tunnel's handshake alike. Mist sends none. Stateless.
 */
public final class TransferCodings {

    private TransferCodings() {
    }

    /** The codings left on {@code message} after aggregation, as sent, or {@code null} when none are. */
    public static String leftOver(HttpMessage message) {
        return message.headers().get(HttpHeaderNames.TRANSFER_ENCODING);
    }
}
