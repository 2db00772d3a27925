package io.mistguard.proxy.trigger;

import io.mistguard.proxy.config.TriggerFallback;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The answers the trigger listener gives in catalyst-api's place, and the small rules around them.
 *
 * <p>Every answer to Mist is a {@code 200}: Mist ignores the body of any other status and counts it
 * as a failed attempt, which sends it into its 5 × 5 s retry and then its default (mist-api.md §5).
 * Bodies are {@code text/plain}, like catalyst-api's. Stateless.
 */
final class TriggerAnswers {

    private static final String TEXT = "text/plain; charset=utf-8";
    /** RFC 9110 §7.6.1, as {@code server/HopByHopHeaders} strips them on the Mist side. */
    private static final List<CharSequence> HOP_BY_HOP = List.of(HttpHeaderNames.CONNECTION, "proxy-connection",
            HttpHeaderNames.KEEP_ALIVE, HttpHeaderNames.TE, HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderNames.UPGRADE);

    private TriggerAnswers() {
    }

    /** A fixed fallback: {@code true}, {@code false} or empty. */
    static FullHttpResponse fixed(ByteBufAllocator alloc, TriggerFallback fallback) {
        return ok(ByteBufUtil.writeUtf8(alloc, fallback.body()), TEXT);
    }

    /** catalyst-api's stored answer, byte for byte, with its content type. */
    static FullHttpResponse stored(LastKnownAnswers.Stored stored) {
        return ok(Unpooled.wrappedBuffer(stored.body()), stored.contentType());
    }

    /** A non-blocking trigger taken for delivery: Mist does not read the answer. */
    static FullHttpResponse queued() {
        return ok(Unpooled.EMPTY_BUFFER, TEXT);
    }

    private static FullHttpResponse ok(ByteBuf body, String contentType) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, body);
        if (contentType != null) {
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        }
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
        return response;
    }

    /**
     * The key a {@code last-known} answer is stored under: the trigger name and the payload lines
     * {@code lines} (0-based; the whole payload when empty), or {@code null} — no key, so nothing is
     * stored or looked up and the policy's {@code otherwise} answers — when a key line is missing from
     * this payload or empty. Such a key would not tell one request from another: with
     * {@code key_lines: [9]}, every {@code USER_NEW} would share the one key "" and get whichever
     * answer catalyst-api last gave anybody. The line count is that of Mist's payload, lines joined by
     * {@code \n} with no trailing newline (mist-api.md §5); a trailing newline ends the last line
     * rather than starting an empty one. The payload is read as ISO-8859-1, one character per byte,
     * so that payloads that differ in any byte have different keys: read as UTF-8, every byte that is
     * not UTF-8 became the one replacement character U+FFFD, and two push URLs differing only there
     * shared an answer (found by review).
     */
    static String key(String trigger, ByteBuf payload, List<Integer> lines) {
        String text = payload.toString(StandardCharsets.ISO_8859_1);
        if (text.isEmpty()) {
            return null; // nothing tells one request from another
        }
        if (lines.isEmpty()) {
            return trigger + '\n' + text;
        }
        String[] all = text.split("\n", -1);
        int present = all.length > 0 && all[all.length - 1].isEmpty() ? all.length - 1 : all.length;
        StringBuilder key = new StringBuilder(trigger);
        for (int line : lines) {
            if (line >= present || all[line].isEmpty()) {
                return null;
            }
            key.append('\n').append(all[line]);
        }
        return key.toString();
    }

    /** Removes hop-by-hop fields (and those {@code Connection} names) before a message goes on. */
    static void stripHopByHop(HttpHeaders headers) {
        for (String connection : headers.getAll(HttpHeaderNames.CONNECTION)) {
            for (String token : connection.split(",")) {
                // Host stays whatever Connection says: catalyst-api (Go) answers an HTTP/1.1 request
                // without one with 400, and the trigger would fall back.
                if (!token.isBlank() && !token.trim().equalsIgnoreCase("host")) {
                    headers.remove(token.trim());
                }
            }
        }
        HOP_BY_HOP.forEach(headers::remove);
    }
}
