package io.mistguard.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Assertions on the shape every authorised Mist API reply has (mist-api.md §1 and §3), and GetState,
 * the read whose reply most tests look at. Public for the tests of every sim-mist package.
 */
public final class MistReplies {

    /** GetState as Catalyst sends it: four read commands in one request. */
    public static final String GET_STATE = "{\"active_streams\":[\"source\"],"
            + "\"stats_streams\":[\"clients\",\"lastms\"],\"push_list\":true,\"push_auto_list\":true}";

    static final ObjectMapper JSON = new ObjectMapper();

    private MistReplies() {
    }

    /**
     * Asserts a 200 {@code text/javascript} reply whose body is JSON + {@code "\n\n"} starting with
     * {@code "LTS":1,"authorize":{"local":true,"status":"OK"}}, and returns the parsed body.
     */
    public static JsonNode assertOk(RawHttp.Response r) throws IOException {
        assertThat(r).as("reply").isNotNull();
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.headers()).containsEntry("content-type", "text/javascript");
        assertThat(r.body()).startsWith("{\"LTS\":1,\"authorize\":{\"local\":true,\"status\":\"OK\"}").endsWith("}\n\n");
        return JSON.readTree(r.body());
    }

    /** The top-level keys of a reply, in order. */
    public static List<String> keys(JsonNode reply) {
        List<String> out = new ArrayList<>();
        reply.fieldNames().forEachRemaining(out::add);
        return out;
    }

    /** The pids in a {@code push_list} reply, in order (entry position 0). */
    public static List<Long> pids(JsonNode reply) {
        List<Long> out = new ArrayList<>();
        reply.get("push_list").forEach(e -> out.add(e.get(0).asLong()));
        return out;
    }
}
