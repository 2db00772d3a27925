package io.mistguard.proxy.classify;

import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import java.nio.charset.StandardCharsets;

/**
 * The JSONP function Mist wraps an API reply in, read as Mist reads it: its variables {@code callback}
 * and {@code jsonp} (the latter wins when both are set), each the last of that name, a form body's
 * replacing the query's ({@code controller_api.cpp}: {@code H.GetVar}). Mist then answers
 * {@code fn(<reply>);} and two line ends instead of {@code <reply>} and two line ends (mist-api.md
 * §8). An empty value is none, as Mist tests for {@code ""}. Stateless; thread-safe.
 */
public final class MistJsonp {

    private MistJsonp() {
    }

    /** The function {@code request}'s reply is wrapped in, or {@code null} when none. */
    public static String functionOf(FullHttpRequest request) {
        String jsonp = nonEmpty(lastVar(request, "jsonp"));
        return jsonp != null ? jsonp : nonEmpty(lastVar(request, "callback"));
    }

    /** Mist's API reply around {@code json}: {@code json + "\n\n"}, or wrapped in {@code function}. */
    public static String wrap(String json, String function) {
        return function == null ? json + "\n\n" : function + "(" + json + ");\n\n";
    }

    /**
     * Mist's {@code GetVar(name)} for {@code request}: the last variable of that name, decoded, a
     * form body's replacing the query's; {@code ""} when set empty, {@code null} when not set.
     */
    public static String lastVar(FullHttpRequest request, String name) {
        String value = isForm(request)
                ? MistUrlEncoding.lastValue(request.content().toString(StandardCharsets.ISO_8859_1), name) : null;
        if (value == null) {
            int query = request.uri().indexOf('?');
            value = query < 0 ? null : MistUrlEncoding.lastValue(request.uri().substring(query + 1), name);
        }
        return value;
    }

    private static String nonEmpty(String value) {
        return value == null || value.isEmpty() ? null : value;
    }

    /** Mist reads body variables only of a POST sent as exactly this type (see {@code CommandClassifier}). */
    private static boolean isForm(FullHttpRequest request) {
        return request.method().equals(HttpMethod.POST) && HttpHeaderValues.APPLICATION_X_WWW_FORM_URLENCODED
                .contentEquals(String.valueOf(MistHeaders.get(request.headers(), "Content-Type")));
    }
}
