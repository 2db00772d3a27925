package io.mistguard.proxy.upstream;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;

/** A small Mist API request (a form-encoded {@code push_list} command) for upstream client tests. */
final class PushListRequest {

    private PushListRequest() {
    }

    /** A new request with its own pooled content; whoever sends it releases it. */
    static FullHttpRequest create() {
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/api2",
                ByteBufUtil.writeAscii(PooledByteBufAllocator.DEFAULT, "command=%7B%22push_list%22%3A1%7D"));
        request.headers().set("Content-Type", "application/x-www-form-urlencoded")
                .set("Content-Length", request.content().readableBytes());
        return request;
    }
}
