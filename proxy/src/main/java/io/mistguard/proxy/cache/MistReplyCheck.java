package io.mistguard.proxy.cache;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/**
 * Decides whether a 200 from Mist is a reply worth keeping and sharing: a JSON object (Mist's
 * trailing {@code "\n\n"} is whitespace to the parser) whose {@code authorize.status} is {@code "OK"}
 * — exactly what catalyst-api requires before it trusts a reply (mist-api.md §4). Anything else
 * (truncated or garbled JSON, a login challenge, the web UI's HTML) is a failure of that call.
 *
 * <p>Uses Jackson's streaming parser: no tree is built, nested values are skipped, so even a
 * several-MiB non-minimal reply is checked without allocating per value. Stateless; thread-safe.
 */
final class MistReplyCheck {

    private static final JsonFactory JSON = JsonFactory.builder().build();

    private MistReplyCheck() {}

    /** True when {@code body} is one JSON object with {@code "authorize":{"status":"OK",...}}. */
    static boolean authorizedOk(byte[] body) {
        try (JsonParser parser = JSON.createParser(body)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return false;
            }
            boolean ok = false;
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if ("authorize".equals(field) && value == JsonToken.START_OBJECT) {
                    ok = statusOk(parser);
                } else {
                    parser.skipChildren();
                }
            }
            return ok && parser.currentToken() == JsonToken.END_OBJECT && parser.nextToken() == null;
        } catch (IOException e) {
            return false; // not JSON, or not only one JSON value
        }
    }

    /** Reads the {@code authorize} object up to its end; true when its {@code status} is {@code "OK"}. */
    private static boolean statusOk(JsonParser parser) throws IOException {
        boolean ok = false;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            JsonToken value = parser.nextToken();
            if ("status".equals(field)) {
                ok = value == JsonToken.VALUE_STRING && "OK".equals(parser.getText());
            } else {
                parser.skipChildren();
            }
        }
        return ok;
    }
}
