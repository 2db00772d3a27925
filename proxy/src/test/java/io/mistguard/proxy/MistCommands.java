package io.mistguard.proxy;

import java.util.List;
import java.util.Set;

/** The commands catalyst-api sends to Mist (mist-api.md §3), as test fixtures shared by several tiers. */
public final class MistCommands {

    /** One command's JSON text and the top-level keys it must classify to. */
    public record Command(String name, String json, Set<String> keys) {
        @Override
        public String toString() {
            return name;
        }
    }

    public static final String GET_STATE = "{\"active_streams\":[\"source\"],\"stats_streams\":[\"clients\",\"lastms\"],"
            + "\"push_list\":true,\"push_auto_list\":true}";

    public static final List<Command> ALL = List.of(
            new Command("GetState", GET_STATE, Set.of("active_streams", "stats_streams", "push_list", "push_auto_list")),
            new Command("config read", "{\"config\":{}}", Set.of("config")),
            new Command("config triggers write", "{\"config\":{\"triggers\":{\"USER_NEW\":[{\"handler\":"
                    + "\"http://127.0.0.1:7979/api/mist/trigger\",\"sync\":true,\"default\":\"true\",\"streams\":[]}]}}}",
                    Set.of("config")),
            new Command("invalidate_sessions", "{\"invalidate_sessions\":\"video+stream0\"}", Set.of("invalidate_sessions")),
            new Command("invalidate_sessions array", "{\"invalidate_sessions\":[\"video+stream0\",\"video+stream1\"]}",
                    Set.of("invalidate_sessions")),
            new Command("stop_sessions", "{\"stop_sessions\":\"video+stream1\"}", Set.of("stop_sessions")),
            new Command("nuke_stream", "{\"nuke_stream\":\"video+stream2\"}", Set.of("nuke_stream")),
            new Command("push_auto_add", "{\"push_auto_add\":{\"stream\":\"video+\",\"target\":\"s3+https://x/$stream.m3u8\"}}",
                    Set.of("push_auto_add")),
            new Command("push_auto_remove", "{\"push_auto_remove\":[[\"video+\",\"s3+https://x/$stream.m3u8\",null,null,"
                    + "null,null,null,null]]}", Set.of("push_auto_remove")),
            new Command("push_stop", "{\"push_stop\":[3116]}", Set.of("push_stop")),
            new Command("authorize", "{\"authorize\":{\"username\":\"u\",\"password\":\"0123456789abcdef\"}}",
                    Set.of("authorize")));

    private MistCommands() {
    }
}
