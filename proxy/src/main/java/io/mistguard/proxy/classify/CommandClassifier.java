package io.mistguard.proxy.classify;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Classifies a raw request to Mist's API into a {@link MistRequest}: finds the command the way Mist
 * does (a JSON body when the content type says JSON, else {@code command=} in a form body, else
 * {@code ?command=} in the query) and collects the command's top-level keys.
 *
 * <p>Pure and stateless: safe to share between event loops. The body is read without changing its
 * reader index and is never released here.
 */
public final class CommandClassifier {

    private static final String COMMAND_PARAM = "command";
    private static final JsonFactory JSON = JsonFactory.builder().build();

    /**
     * @param method      the HTTP method name
     * @param uri         the request target as received (path and optional query)
     * @param contentType the {@code Content-Type} header value, or {@code null}
     * @param body        the request body (may be empty); not consumed, not released
     */
    public MistRequest classify(String method, String uri, String contentType, ByteBuf body) {
        int queryStart = uri.indexOf('?');
        String path = queryStart < 0 ? uri : uri.substring(0, queryStart);
        if (body.isReadable() && isJson(contentType)) {
            return fromCommand(method, path, CommandEncoding.JSON_BODY, body.toString(StandardCharsets.UTF_8));
        }
        if (body.isReadable() && isForm(contentType)) {
            String command = firstParam(body.toString(StandardCharsets.UTF_8), false);
            if (command != null) {
                return fromCommand(method, path, CommandEncoding.FORM_BODY, command);
            }
        }
        if (queryStart >= 0) {
            String command = firstParam(uri.substring(queryStart + 1), false);
            if (command != null) {
                return fromCommand(method, path, CommandEncoding.QUERY, command);
            }
        }
        return new MistRequest(method, path, Set.of(), CommandEncoding.NONE, null, false);
    }

    private static MistRequest fromCommand(String method, String path, CommandEncoding encoding, String command) {
        Set<String> keys = topLevelKeys(command);
        boolean parsable = keys != null;
        return new MistRequest(method, path, parsable ? keys : Set.of(), encoding, command, parsable);
    }

    /** The top-level keys of a JSON object, or {@code null} when the text is not one JSON object. */
    public static Set<String> topLevelKeys(String json) {
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
        } catch (IOException e) {
            return null;
        }
    }

    private static String firstParam(String encoded, boolean hasPath) {
        if (!encoded.contains(COMMAND_PARAM)) {
            return null; // cheap reject before decoding every parameter
        }
        try {
            List<String> values = new QueryStringDecoder(encoded, StandardCharsets.UTF_8, hasPath)
                    .parameters().get(COMMAND_PARAM);
            return values == null || values.isEmpty() ? null : values.get(0);
        } catch (IllegalArgumentException malformedEscape) {
            return null;
        }
    }

    private static boolean isJson(String contentType) {
        return contentType != null && contentType.regionMatches(true, 0, "application/json", 0, 16);
    }

    private static boolean isForm(String contentType) {
        // A body without a content type is read as a form too: that is what curl -d and most clients mean.
        return contentType == null
                || contentType.regionMatches(true, 0, "application/x-www-form-urlencoded", 0, 33);
    }
}
