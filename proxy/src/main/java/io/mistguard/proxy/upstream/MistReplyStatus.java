package io.mistguard.proxy.upstream;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads what a Mist reply says about itself: the top-level {@code authorize.status}. A command took
 * effect, and a reply can be trusted, only when it is {@code "OK"} — exactly what catalyst-api checks
 * (mist-api.md §4); {@code CHALL} and {@code NOACC} replies are 200s too. The body must be exactly one
 * JSON object (Mist's trailing {@code "\n\n"} is whitespace): truncated or garbled JSON, or the web UI's
 * HTML, has no status.
 *
 * <p>Jackson's streaming parser: no tree is built and nested values are skipped, so a several-MiB
 * non-minimal reply is checked without allocating per value. Stateless; thread-safe; never consumes
 * or releases a buffer it reads.
 */
public final class MistReplyStatus {

    private static final JsonFactory JSON = JsonFactory.builder().build();

    private MistReplyStatus() {
    }

    /** True when {@code body} is one JSON object with {@code "authorize":{"status":"OK",...}}. */
    public static boolean isOk(byte[] body) {
        return "OK".equals(of(body));
    }

    /** The top-level {@code authorize.status} of {@code body}, or {@code null} (see the class). */
    public static String of(byte[] body) {
        try (JsonParser parser = JSON.createParser(body)) {
            return read(parser);
        } catch (IOException e) {
            return null;
        }
    }

    /** As {@link #of(byte[])}, reading {@code body} without moving its reader index. */
    public static String of(ByteBuf body) {
        try (InputStream in = new ByteBufInputStream(body.duplicate());
             JsonParser parser = JSON.createParser(in)) {
            return read(parser);
        } catch (IOException e) {
            return null;
        }
    }

    private static String read(JsonParser parser) throws IOException {
        if (parser.nextToken() != JsonToken.START_OBJECT) {
            return null;
        }
        String status = null;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            JsonToken value = parser.nextToken();
            if ("authorize".equals(field) && value == JsonToken.START_OBJECT) {
                status = statusField(parser);
            } else {
                parser.skipChildren();
            }
        }
        // Only one complete JSON value counts; anything after it makes the reply garbage.
        return parser.currentToken() == JsonToken.END_OBJECT && parser.nextToken() == null ? status : null;
    }

    /** Reads the {@code authorize} object to its end; its {@code status} when that is a string. */
    private static String statusField(JsonParser parser) throws IOException {
        String status = null;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            JsonToken value = parser.nextToken();
            if ("status".equals(field)) {
                status = value == JsonToken.VALUE_STRING ? parser.getText() : null;
            } else {
                parser.skipChildren();
            }
        }
        return status;
    }
}
