package io.mistguard.proxy.server.tunnel;

import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpStatusClass;

/**
 * Decodes Mist's answer to an upgrade, treating every 1xx as body-less (RFC 9110 §15.2).
 *
 * <p>Netty's decoder keeps one exception for the obsolete Hixie-76 handshake: a {@code 101} with
 * {@code Upgrade: websocket} and no {@code Sec-WebSocket-Accept} is read as having a body up to the
 * close. Mist 3.10 answers exactly so ({@code HTTP/1.1 101 Websocket away!}, measured), and sends
 * frames right behind it, so the handshake would wait for a close that never comes. Here the head is
 * the whole answer and the bytes after it go to the tunnel. One instance per upstream connection.
 */
final class InterimWithoutBodyDecoder extends HttpResponseDecoder {

    InterimWithoutBodyDecoder(HttpDecoderConfig config) {
        super(config);
    }

    @Override
    protected boolean isContentAlwaysEmpty(HttpMessage msg) {
        if (msg instanceof HttpResponse response && response.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
            return true;
        }
        return super.isContentAlwaysEmpty(msg);
    }
}
