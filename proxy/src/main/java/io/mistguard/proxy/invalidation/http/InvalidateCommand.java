package io.mistguard.proxy.invalidation.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.mistguard.proxy.classify.MistRequest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Reads the stream names of an {@code {"invalidate_sessions": name | [names]}} command.
 *
 * <p>Only the two shapes catalyst-api sends are understood: one string, or an array of strings
 * (possibly empty). Anything else (a number, an object, an array holding a non-string, the key
 * twice) is not ours to interpret and returns {@code null}, so the request goes to Mist unchanged.
 * Stateless; thread-safe.
 */
final class InvalidateCommand {

    static final String KEY = "invalidate_sessions";
    private static final Set<String> ONLY_KEY = Set.of(KEY);
    private static final JsonFactory JSON = JsonFactory.builder().build();

    private InvalidateCommand() {
    }

    /**
     * The names to invalidate, in request order, or {@code null} when the request is not one we answer:
     * also one off Mist's API paths ({@link MistRequest#onApiPath}), which Mist may answer with its
     * stats or its WebSocket without running the command. Found by review: such a request was queued,
     * so an invalidation Mist would never have run was delivered, and its caller got an API reply Mist
     * would never have given.
     */
    static List<String> names(MistRequest request) {
        if (!request.hasCommand() || !request.hasExactly(ONLY_KEY) || !request.onApiPath()) {
            return null; // a command mixing keys is an ordinary write: Mist must see it whole
        }
        try (JsonParser parser = JSON.createParser(request.command())) {
            parser.nextToken(); // START_OBJECT: the classifier checked that it is one JSON object
            parser.nextToken(); // FIELD_NAME invalidate_sessions
            List<String> names = value(parser);
            // A second invalidate_sessions key would leave Mist to pick one: not ours to guess.
            return names != null && parser.nextToken() == JsonToken.END_OBJECT ? names : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static List<String> value(JsonParser parser) throws IOException {
        JsonToken token = parser.nextToken();
        if (token == JsonToken.VALUE_STRING) {
            return List.of(parser.getText());
        }
        if (token != JsonToken.START_ARRAY) {
            return null;
        }
        List<String> names = new ArrayList<>();
        while ((token = parser.nextToken()) == JsonToken.VALUE_STRING) {
            names.add(parser.getText());
        }
        return token == JsonToken.END_ARRAY ? names : null;
    }
}
