package io.mistguard.proxy.net;

import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpStatusClass;
import java.util.Queue;

/**
 * Encodes every answer written to a caller of a mistguard listener, and sends none of an answer's
 * content when the request it answers was a {@code HEAD} (RFC 9110 §9.3.2), whichever handler wrote
 * it: a read timeout's 408 as well as the listener handler's answers (the aggregator's 413 and 417
 * among them). Its {@code Content-Length} is kept: it describes the
 * body a {@code GET} would get. 1xx, 204, 205 and 304 answers are left to Netty's encoder, which sends
 * them without content too.
 *
 * <p>Which request an answer is for is kept the way Netty's {@code HttpServerCodec} keeps it: the
 * methods of the requests {@link StrictRequestDecoder} decoded, oldest first, one taken off per final
 * (non-1xx) answer. mistguard answers a connection's requests in order and each at most once, and
 * closes the connection after any answer that is not the last word on its request. An answer written
 * before any request was decoded (the 408 to a head that never came whole) takes nothing and is sent
 * with its content.
 *
 * <p>One instance per channel, sharing its queue with that channel's decoder; event loop only.
 */
public final class CallerResponseEncoder extends HttpResponseEncoder {

    private final Queue<HttpMethod> requestMethods;

    /** @param requestMethods the methods of decoded requests not yet answered, oldest first (the decoder adds) */
    public CallerResponseEncoder(Queue<HttpMethod> requestMethods) {
        this.requestMethods = requestMethods;
    }

    @Override
    protected boolean isContentAlwaysEmpty(HttpResponse msg) {
        boolean head = msg.status().codeClass() != HttpStatusClass.INFORMATIONAL
                && HttpMethod.HEAD.equals(requestMethods.poll());
        return head || super.isContentAlwaysEmpty(msg);
    }
}
