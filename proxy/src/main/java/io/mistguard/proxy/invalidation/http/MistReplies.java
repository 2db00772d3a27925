package io.mistguard.proxy.invalidation.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.netty.buffer.ByteBufInputStream;
import io.netty.handler.codec.http.FullHttpResponse;
import java.io.IOException;
import java.io.InputStream;

/**
 * Judges Mist's reply to a command the way catalyst-api does (mist-api.md §4): the command took
 * effect only if the JSON body says {@code "authorize":{"status":"OK"}}. A {@code CHALL} or
 * {@code NOACC} reply is a 200 too, and means nothing was done.
 *
 * <p>Stateless; thread-safe. Reads the body without consuming or releasing it.
 */
final class MistReplies {

    private static final JsonFactory JSON = JsonFactory.builder().build();

    private MistReplies() {
    }

    /** {@code null} when Mist accepted the command, otherwise a short description of why not. */
    static String problem(FullHttpResponse response) {
        if (response.status().code() != 200) {
            return "HTTP " + response.status().code();
        }
        String status = authorizeStatus(response);
        return "OK".equals(status) ? null : "authorize.status " + (status == null ? "missing" : status);
    }

    /** The top-level {@code authorize.status}, or {@code null} when absent or the body is not JSON. */
    static String authorizeStatus(FullHttpResponse response) {
        try (InputStream in = new ByteBufInputStream(response.content().duplicate());
             JsonParser parser = JSON.createParser(in)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if ("authorize".equals(field) && value == JsonToken.START_OBJECT) {
                    return statusField(parser);
                }
                parser.skipChildren();
            }
            return null;
        } catch (IOException e) {
            return null;
        }
    }

    private static String statusField(JsonParser parser) throws IOException {
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            JsonToken value = parser.nextToken();
            if ("status".equals(field)) {
                return value == JsonToken.VALUE_STRING ? parser.getText() : null;
            }
            parser.skipChildren();
        }
        return null;
    }
}
