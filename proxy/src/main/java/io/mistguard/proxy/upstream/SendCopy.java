package io.mistguard.proxy.upstream;

import io.mistguard.proxy.net.CopiedRequest;
import io.netty.handler.codec.http.FullHttpRequest;

/**
 * A copy of a request to hand to a write, so that the request can be sent again (a retry, a fresh
 * connection): the content is a retained duplicate, with read indices of its own that the socket
 * write may advance; the header and trailer objects are the original's, not copies.
 *
 * <p>Netty's {@code retainedDuplicate()} copies every header as well, and a pass-through made two
 * such copies per request (~1 KB, most of {@code DefaultHeaders}' allocations in
 * {@code profile.sh}). Sharing is safe because nothing changes a request's headers once it is
 * handed to the policies: the HTTP encoder only reads them. Code that would change them on the way
 * to Mist must copy first.
 *
 * <p>Stateless; the returned request holds one reference to the content and must be released (the
 * write does that).
 */
public final class SendCopy {

    private SendCopy() {
    }

    /** A request with {@code request}'s line and header objects and a retained duplicate of its content. */
    public static FullHttpRequest of(FullHttpRequest request) {
        return CopiedRequest.of(request.protocolVersion(), request.method(), request.uri(),
                request.content().retainedDuplicate(), request.headers(), request.trailingHeaders());
    }
}
