package io.mistguard.proxy.upstream;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

/**
 * Ends at their head the answers whose head is all mistguard may read, and closes their connection,
 * whose framing is then unknown:
 * <ul>
 *   <li><b>Mist's length-less 403.</b> Mist answers a bad {@code Authorization: json} header with
 *       {@code 403 Not authorized} and {@code WWW-Authenticate}, no {@code Content-Length}, no body
 *       and no close (measured on Mist 3.10, mist-api.md §8); by HTTP/1.1's rules its body runs to a
 *       close that never comes. Read that way, every such request — which any caller can send —
 *       would run to the route's timeout, hold an admission slot that long and count as Mist failing.
 *       So a 403 with {@code WWW-Authenticate} and neither {@code Content-Length} nor chunked coding
 *       is taken as complete and empty.</li>
 *   <li><b>Any {@code 101 Switching Protocols}.</b> What follows it is another protocol, not a body;
 *       and Netty's codec reads a 101 with {@code Upgrade: websocket} and no
 *       {@code Sec-WebSocket-Accept} — the shape of Mist's own, {@code 101 Websocket away!} — as the
 *       old Hixie-76 handshake, whose body runs to the close. No request mistguard sends here asks
 *       for an upgrade (the WebSocket tunnel has its own upstream), so the head goes on at once and
 *       {@code UpstreamCall} refuses it as a bad response (RFC 9110 §15.2.2), instead of waiting
 *       for the route's timeout and counting that as Mist timing out.</li>
 * </ul>
 *
 * <p>Sits between the upstream codec and aggregator; one instance per upstream channel, used only
 * from its event loop. The WebSocket tunnel's handshake uses it too ({@link #forTunnel}), for the
 * 403 only: there a 101 is the answer it waits for. Found by review: Catalyst's Mist answers an
 * unauthorised {@code /ws} with that 403 (and a text after it), and through the tunnel the caller got
 * 504 after {@code websocket.handshake_timeout} instead, holding a tunnel place meanwhile.
 */
public final class HeadOnlyAnswers extends ChannelInboundHandlerAdapter {

    private final boolean switchingProtocolsToo;
    private boolean discarding;

    /** For a call to Mist's API: the 403 and any 101. */
    HeadOnlyAnswers() {
        this(true);
    }

    private HeadOnlyAnswers(boolean switchingProtocolsToo) {
        this.switchingProtocolsToo = switchingProtocolsToo;
    }

    /** For the WebSocket tunnel's handshake: Mist's length-less 403 only, so a 101 goes on as it is. */
    public static HeadOnlyAnswers forTunnel() {
        return new HeadOnlyAnswers(false);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (discarding) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpResponse head && !(msg instanceof FullHttpResponse) && unframedCoding(head)) {
            // Read to a close that a kept-alive server never sends, the caller would wait out its whole
            // budget for an answer refused anyway (TransferCodings): refused at its head instead.
            discarding = true;
            head.setDecoderResult(DecoderResult.failure(new IllegalArgumentException("unsupported Transfer-Encoding: "
                    + head.headers().get(HttpHeaderNames.TRANSFER_ENCODING) + " (mistguard undoes only a final "
                    + "chunked; RFC 9112 §6.1)")));
            ctx.fireChannelRead(msg);
            ctx.close();
            return;
        }
        if (msg instanceof HttpResponse head && !(msg instanceof FullHttpResponse)
                && (isMistsForbidden(head)
                    || switchingProtocolsToo && head.status().code() == HttpResponseStatus.SWITCHING_PROTOCOLS.code())) {
            discarding = true;
            ctx.fireChannelRead(msg);
            ctx.fireChannelRead(LastHttpContent.EMPTY_LAST_CONTENT);
            ctx.close();
            return;
        }
        ctx.fireChannelRead(msg);
    }

    /**
     * A head with a {@code Transfer-Encoding} that Netty's codec does not read as chunked
     * ({@code gzip} alone, {@code chunked ;q=1}): its body runs to the close (RFC 9112 §6.3), and its
     * coding is one mistguard cannot undo. Found by review: on a kept-alive connection the caller got
     * 504 after the route's whole budget, counted as Mist timing out, instead of 502 at once.
     */
    static boolean unframedCoding(HttpResponse head) {
        return head.headers().contains(HttpHeaderNames.TRANSFER_ENCODING) && !HttpUtil.isTransferEncodingChunked(head);
    }

    /** Mist's 403 to a bad {@code Authorization: json} header, framed or not. */
    static boolean isLoginChallenge(HttpResponse response) {
        return response.status().code() == HttpResponseStatus.FORBIDDEN.code()
                && response.headers().contains(HttpHeaderNames.WWW_AUTHENTICATE);
    }

    static boolean isMistsForbidden(HttpResponse head) {
        return isLoginChallenge(head)
                && !head.headers().contains(HttpHeaderNames.CONTENT_LENGTH)
                && !HttpUtil.isTransferEncodingChunked(head);
    }
}
