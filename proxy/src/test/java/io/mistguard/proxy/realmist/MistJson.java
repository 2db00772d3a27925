package io.mistguard.proxy.realmist;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a Mist API answer body ({@code JSON + "\n\n"}) into plain maps and lists, so tests can
 * compare its shape (keys, the {@code authorize} object) rather than its bytes: two GetState calls a
 * moment apart may differ in stats values. Stateless; thread-safe.
 */
final class MistJson {

    private static final JsonFactory FACTORY = new JsonFactory();

    private MistJson() {
    }

    /** The body as a JSON object, keys in Mist's order; fails the test when it is anything else. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> object(String body) {
        Object value = parse(body);
        if (!(value instanceof Map)) {
            throw new AssertionError("expected a JSON object, got: " + abbreviate(body));
        }
        return (Map<String, Object>) value;
    }

    /** The body's top-level {@code authorize} object, or an empty map when it has none. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> authorize(String body) {
        Object authorize = object(body).get("authorize");
        return authorize instanceof Map ? (Map<String, Object>) authorize : Map.of();
    }

    /** One JSON value as {@code Map}, {@code List}, {@code String}, {@code Number}, {@code Boolean} or null. */
    static Object parse(String text) {
        try (JsonParser parser = FACTORY.createParser(text)) {
            parser.nextToken();
            Object value = read(parser);
            if (parser.nextToken() != null) {
                throw new AssertionError("more than one JSON value in: " + abbreviate(text));
            }
            return value;
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + abbreviate(text), e);
        }
    }

    private static Object read(JsonParser parser) throws IOException {
        JsonToken token = parser.currentToken();
        if (token == null) {
            throw new IOException("empty body");
        }
        switch (token) {
            case START_OBJECT: {
                Map<String, Object> object = new LinkedHashMap<>();
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String name = parser.currentName();
                    parser.nextToken();
                    object.put(name, read(parser));
                }
                return object;
            }
            case START_ARRAY: {
                List<Object> array = new ArrayList<>();
                while (parser.nextToken() != JsonToken.END_ARRAY) {
                    array.add(read(parser));
                }
                return array;
            }
            case VALUE_STRING:
                return parser.getText();
            case VALUE_NUMBER_INT:
            case VALUE_NUMBER_FLOAT:
                return parser.getNumberValue();
            case VALUE_TRUE:
            case VALUE_FALSE:
                return parser.getBooleanValue();
            case VALUE_NULL:
                return null;
            default:
                throw new IOException("unexpected " + token);
        }
    }

    private static String abbreviate(String text) {
        return text.length() > 200 ? text.substring(0, 200) + "…" : text;
    }
}
