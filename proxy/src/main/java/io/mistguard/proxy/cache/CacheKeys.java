package io.mistguard.proxy.cache;

import io.mistguard.proxy.classify.MistJsonp;
import io.mistguard.proxy.classify.MistRequest;
import io.mistguard.proxy.config.CommandText;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The cache key of a read request, or {@code null} when the request must make its own call and
 * never get a stored or shared answer.
 *
 * <p>Key: route name, method, path, then the command with whitespace outside strings removed (or,
 * without a command, the raw query, as in {@code /koekjes.json?x}), then any JSONP
 * {@code callback}/{@code jsonp} parameter, which makes the reply caller-specific. Top-level keys
 * are compared in the order sent: catalyst-api sends GetState byte-identical every time, and a
 * reordered command merely gets its own entry.
 *
 * <p>Never cached: a command with an {@code authorize} key (connection state, mist-api.md §2) or a
 * {@code config} key ({@code {"config":{}}} feeds a read-modify-write, §3); a command parameter that
 * is not JSON (Mist answers its web UI); a request with {@code X-Real-IP} or {@code X-Forwarded-For}
 * (Mist does not trust such a caller as local, so it must not get a local caller's reply); and
 * {@code Cache-Control: no-cache} or {@code no-store}. A request without a command, or with one on
 * a path that is not one of Mist's API paths ({@code /}, {@code /api}, {@code /api2}), is also keyed by
 * every header line it carries, name and value as sent, in order: Mist builds its Prometheus answers
 * ({@code /koekjes}, {@code /koekjes.json}) on the request's own parser, which keeps the request's
 * header fields ({@code HTTP::Parser::StartResponse} calls {@code CleanPreserveHeaders}), so every
 * one of them is echoed back. Found by review: keyed only by {@code Host}, {@code User-Agent} and
 * {@code Accept} (what a first measurement saw echoed), one caller's {@code Cookie} reached the next
 * caller in a stored answer. Mist picks its Prometheus path before it reads any command, so
 * {@code /koekjes?command=<GetState>} is a Prometheus answer too (found by a later review: it was
 * coalesced by command alone, and a second caller got the first one's {@code Cookie}); mistguard does
 * not know Mist's passphrase, so any path but the API's counts. A scraper sends the same lines every
 * time, and catalyst-api its commands to {@code /} or {@code /api2}, so their answers are still
 * shared. Stateless; thread-safe.
 */
final class CacheKeys {

    private static final List<String> NOT_LOCAL = List.of("X-Real-IP", "X-Forwarded-For");
    private static final List<String> JSONP = List.of("callback", "jsonp");

    private CacheKeys() {}

    static String of(String route, FullHttpRequest request, MistRequest mist) {
        if (mist.commandKeys().contains("authorize") || mist.commandKeys().contains("config")
            || mist.command() != null && !mist.parsable() || bypasses(request.headers())) {
            return null;
        }
        StringBuilder key = new StringBuilder(128).append(route).append('\n').append(mist.method()).append('\n')
                .append(mist.path()).append('\n');
        int queryStart = request.uri().indexOf('?');
        String query = queryStart < 0 ? "" : request.uri().substring(queryStart + 1);
        key.append(mist.hasCommand() ? CommandText.compact(mist.command()) : query);
        if (!mist.hasCommand() || !mist.onApiPath()) {
            // Mist echoes every request field in its Prometheus answers (see the class comment): a
            // caller must not get another caller's fields back from a stored answer.
            for (Iterator<Map.Entry<CharSequence, CharSequence>> it = request.headers().iteratorCharSequence();
                 it.hasNext(); ) {
                Map.Entry<CharSequence, CharSequence> line = it.next();
                key.append('\n').append(line.getKey()).append(':').append(line.getValue());
            }
        }
        // Mist wraps its answer in callback(...) / jsonp(...) from the last such variable, a form
        // body's replacing the query's: read them as Mist does, so that no two callers who would get
        // different answers from Mist share one.
        for (String name : JSONP) {
            String value = MistJsonp.lastVar(request, name);
            if (value != null) {
                key.append('\n').append(name).append('=').append(value);
            }
        }
        return key.toString();
    }

    /** The caller asked for an answer from Mist itself, or is not one Mist trusts as local. */
    static boolean bypasses(HttpHeaders headers) {
        for (String name : NOT_LOCAL) {
            if (headers.contains(name)) {
                return true;
            }
        }
        for (String value : headers.getAll(HttpHeaderNames.CACHE_CONTROL)) {
            for (String directive : value.split(",")) {
                String d = directive.trim().toLowerCase(java.util.Locale.ROOT);
                if (d.equals(HttpHeaderValues.NO_CACHE.toString()) || d.equals(HttpHeaderValues.NO_STORE.toString())) {
                    return true;
                }
            }
        }
        return false;
    }

}
