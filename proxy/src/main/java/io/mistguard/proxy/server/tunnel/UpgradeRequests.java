package io.mistguard.proxy.server.tunnel;

import io.mistguard.proxy.exchange.Decision;
import io.mistguard.proxy.net.CopiedRequest;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.util.ArrayList;
import java.util.List;

/**
 * Upgrade requests on their way to Mist: which requests ask for an upgrade (RFC 9110 §7.8), which
 * of those mistguard refuses, and the request head Mist gets. Stateless.
 *
 * <p>Towards Mist, hop-by-hop fields are removed as RFC 9110 §7.6.1 requires — {@code Connection},
 * every field it names, {@code Proxy-Connection}, {@code Keep-Alive}, {@code TE},
 * {@code Transfer-Encoding} — except the ones the upgrade itself needs on the next hop: {@code Upgrade}
 * and the {@code Sec-WebSocket-*} fields stay, and {@code Connection: Upgrade} is set anew.
 */
final class UpgradeRequests {

    private static final List<CharSequence> HOP_BY_HOP = List.of(HttpHeaderNames.CONNECTION, "proxy-connection",
            "keep-alive", HttpHeaderNames.TE, HttpHeaderNames.TRANSFER_ENCODING);

    /** Spelled as browsers and RFC 6455 spell it; the token itself is case-insensitive. */
    private static final String CONNECTION_UPGRADE = "Upgrade";

    private UpgradeRequests() {
    }

    /** See {@link UpgradeTunnel#isUpgrade(HttpRequest)}. */
    static boolean isUpgrade(HttpRequest request) {
        if (request.protocolVersion().compareTo(HttpVersion.HTTP_1_1) < 0) {
            return false; // RFC 9110 §7.8: a server MUST ignore Upgrade in an HTTP/1.0 request
        }
        String upgrade = request.headers().get(HttpHeaderNames.UPGRADE);
        return upgrade != null && !upgrade.isBlank()
                && request.headers().containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true);
    }

    /** Why {@code request} is not tunnelled, or {@code null} when it may be. */
    static Refusal refusal(FullHttpRequest request) {
        if (request.decoderResult().isFailure()) {
            return new Refusal(HttpResponseStatus.BAD_REQUEST, Decision.BAD_REQUEST,
                    String.valueOf(request.decoderResult().cause().getMessage()));
        }
        if (!isUpgrade(request)) {
            return new Refusal(HttpResponseStatus.BAD_REQUEST, Decision.BAD_UPGRADE,
                    "an upgrade needs HTTP/1.1, an Upgrade field and Connection: upgrade");
        }
        if (!request.headers().containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)) {
            // 501, not 400: the request is fine, mistguard just cannot pass that protocol. catalyst-api
            // does not retry a 501 (mist-api.md §4).
            return new Refusal(HttpResponseStatus.NOT_IMPLEMENTED, Decision.UPGRADE_UNSUPPORTED,
                    "only websocket upgrades are passed through");
        }
        if (!request.method().equals(HttpMethod.GET)) {
            return new Refusal(HttpResponseStatus.BAD_REQUEST, Decision.BAD_UPGRADE, "a websocket upgrade must be a GET");
        }
        if (request.content().isReadable()) {
            return new Refusal(HttpResponseStatus.BAD_REQUEST, Decision.BAD_UPGRADE, "a websocket upgrade has no body");
        }
        return null;
    }

    /**
     * The upgrade request as Mist gets it: HTTP/1.1, no body, hop-by-hop fields other than the
     * upgrade's own removed, then {@code extraHeaders} applied. Takes over {@code request}'s headers
     * and releases it, also when the hook throws.
     */
    static FullHttpRequest towardsMist(FullHttpRequest request, Channel client,
                                       TunnelSettings.ExtraHeaders extraHeaders) {
        try {
            HttpHeaders headers = request.headers();
            for (String named : namedByConnection(headers)) {
                if (!keptForUpgrade(named)) {
                    headers.remove(named);
                }
            }
            for (CharSequence name : HOP_BY_HOP) {
                headers.remove(name);
            }
            headers.remove(HttpHeaderNames.CONTENT_LENGTH); // a caller's "0", if any: a GET upgrade has no body
            headers.set(HttpHeaderNames.CONNECTION, CONNECTION_UPGRADE);
            extraHeaders.addTo(client, headers);
            return CopiedRequest.of(HttpVersion.HTTP_1_1, HttpMethod.GET, request.uri(),
                    Unpooled.EMPTY_BUFFER, headers, request.trailingHeaders());
        } finally {
            request.release();
        }
    }

    /** The field names listed in the {@code Connection} fields. */
    static List<String> namedByConnection(HttpHeaders headers) {
        List<String> names = new ArrayList<>();
        for (String connection : headers.getAll(HttpHeaderNames.CONNECTION)) {
            for (String token : connection.split(",")) {
                String name = token.trim();
                if (!name.isEmpty()) {
                    names.add(name);
                }
            }
        }
        return names;
    }

    private static boolean keptForUpgrade(String name) {
        return HttpHeaderNames.UPGRADE.contentEqualsIgnoreCase(name)
                || name.regionMatches(true, 0, "sec-websocket-", 0, "sec-websocket-".length());
    }

    /** Why an upgrade is answered by mistguard instead of Mist. */
    record Refusal(HttpResponseStatus status, Decision decision, String detail) {
    }
}
