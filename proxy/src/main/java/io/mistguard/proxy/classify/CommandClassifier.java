package io.mistguard.proxy.classify;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;

/**
 * Classifies a raw request to Mist's API into a {@link MistRequest}: finds the command exactly the
 * way Mist does (MistServer 3.10, {@code src/controller/controller_api.cpp} and
 * {@code lib/http_parser.cpp}) — the whole body when {@code Content-Type} is exactly
 * {@code application/json}; else the last {@code command} variable, of a {@code POST} body sent as
 * exactly {@code application/x-www-form-urlencoded}, or else of the query — and collects the
 * command's top-level keys. The path is decoded as Mist decodes it. What Mist would not read as a
 * command is no command here either, so nothing is routed, coalesced or cached as one.
 *
 * <p>One difference remains, on the safe side: Mist's JSON parser is lenient (it accepts trailing
 * garbage, comments, single quotes, a trailing comma), this one is strict. Such a command is marked
 * not {@linkplain MistRequest#parsable() parsable}: it matches no command route, is never cached,
 * coalesced or queued, and goes to Mist as it came. A command mistguard cannot read exactly as Mist
 * would — an invalid percent-escape, bytes that are not UTF-8, nesting deeper than
 * {@link #MAX_NESTING_DEPTH} — is {@linkplain MistRequest#unreadable() unreadable}, and refused. The caller hands in headers as Mist will get them
 * (hop-by-hop fields removed) and the {@code Content-Type} Mist reads ({@link MistHeaders}).
 *
 * <p>Pure and stateless: safe to share between event loops. The body is read without changing its
 * reader index and is never released here.
 */
public final class CommandClassifier {

    private static final String COMMAND_PARAM = "command";

    /**
     * The deepest nesting of objects and arrays read in a command. Mist's commands nest a handful of
     * levels (a whole trigger map is five); Mist's JSON parser is recursive, so a command nested
     * thousands deep would cost Mist its stack, and mistguard refuses it instead.
     */
    public static final int MAX_NESTING_DEPTH = 100;

    // No canonical (interned) field names: a command's keys go into a set of this request's own, and a
    // hostile command's 100 000 distinct keys must not grow a table shared by every parser.
    private static final JsonFactory JSON = JsonFactory.builder()
            .disable(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES)
            .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING_DEPTH).build())
            .build();

    /**
     * @param method      the HTTP method name
     * @param uri         the request target as received (path and optional query)
     * @param contentType the {@code Content-Type} header value, or {@code null}
     * @param body        the request body (may be empty); not consumed, not released
     */
    public MistRequest classify(String method, String uri, String contentType, ByteBuf body) {
        int queryStart = uri.indexOf('?');
        String path = MistUrlEncoding.decode(queryStart < 0 ? uri : uri.substring(0, queryStart), false);
        if (isJson(contentType)) {
            // Mist reads the body and nothing else, even when it is empty (controller_api.cpp).
            if (!body.isReadable()) {
                return none(method, path);
            }
            byte[] bytes = ByteBufUtil.getBytes(body);
            if (!MistUrlEncoding.validUtf8(bytes)) {
                return unreadable(method, path, CommandEncoding.JSON_BODY, "the JSON body is not UTF-8");
            }
            return fromCommand(method, path, CommandEncoding.JSON_BODY, new String(bytes, StandardCharsets.UTF_8));
        }
        // Body variables are parsed after the query's and replace them (http_parser.cpp).
        if (body.isReadable() && isForm(method, contentType)) {
            String raw = MistUrlEncoding.lastRawValue(body.toString(StandardCharsets.ISO_8859_1), COMMAND_PARAM);
            if (raw != null) {
                return fromEncoded(method, path, CommandEncoding.FORM_BODY, raw);
            }
        }
        if (queryStart >= 0) {
            String raw = MistUrlEncoding.lastRawValue(uri.substring(queryStart + 1), COMMAND_PARAM);
            if (raw != null) {
                return fromEncoded(method, path, CommandEncoding.QUERY, raw);
            }
        }
        return none(method, path);
    }

    private static MistRequest none(String method, String path) {
        return new MistRequest(method, path, Set.of(), CommandEncoding.NONE, null, false);
    }

    private static MistRequest unreadable(String method, String path, CommandEncoding encoding, String why) {
        return new MistRequest(method, path, Set.of(), encoding, null, false, why);
    }

    /** A URL-encoded command, {@code raw} as it stands in the query or form body. */
    private static MistRequest fromEncoded(String method, String path, CommandEncoding encoding, String raw) {
        if (!MistUrlEncoding.validEscapes(raw)) {
            return unreadable(method, path, encoding, "the command has an invalid percent-escape");
        }
        byte[] bytes = MistUrlEncoding.decodeBytes(raw, true);
        if (!MistUrlEncoding.validUtf8(bytes)) {
            return unreadable(method, path, encoding, "the command is not UTF-8");
        }
        return fromCommand(method, path, encoding, new String(bytes, StandardCharsets.UTF_8));
    }

    private static MistRequest fromCommand(String method, String path, CommandEncoding encoding, String command) {
        Set<String> keys;
        try {
            keys = keysOrNull(command);
        } catch (StreamConstraintsException e) {
            return unreadable(method, path, encoding, "the command nests deeper than " + MAX_NESTING_DEPTH
                    + " levels or exceeds a JSON size limit");
        }
        boolean parsable = keys != null;
        return new MistRequest(method, path, parsable ? keys : Set.of(), encoding, command, parsable);
    }

    /** The top-level keys of a JSON object, or {@code null} when the text is not one JSON object. */
    public static Set<String> topLevelKeys(String json) {
        try {
            return keysOrNull(json);
        } catch (StreamConstraintsException e) {
            return null;
        }
    }

    /**
     * As {@link #topLevelKeys}, but a command over the parser's limits (nesting, name, number or
     * string length) is an exception, not merely "not an object".
     */
    private static Set<String> keysOrNull(String json) throws StreamConstraintsException {
        try (JsonParser parser = JSON.createParser(json)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            Set<String> keys = new HashSet<>();
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                keys.add(parser.currentName());
                parser.nextToken();
                parser.skipChildren();
            }
            // Trailing garbage after the object makes it unparsable for Mist as well.
            return parser.nextToken() == null ? keys : null;
        } catch (StreamConstraintsException e) {
            throw e;
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Mist reads a raw JSON body only when {@code Content-Type} is exactly {@code application/json}
     * (mist-api.md §8, measured on Mist 3.10): {@code application/json; charset=utf-8} is ignored, so
     * such a request carries no command as far as Mist is concerned, and must not be routed, coalesced
     * or cached as one here.
     */
    private static boolean isJson(String contentType) {
        return "application/json".equals(contentType);
    }

    /**
     * Mist parses body variables only of a {@code POST} whose {@code Content-Type} is exactly
     * {@code application/x-www-form-urlencoded} (http_parser.cpp): no parameters, no other case, and
     * not without the header.
     */
    private static boolean isForm(String method, String contentType) {
        return "POST".equals(method) && "application/x-www-form-urlencoded".equals(contentType);
    }
}
