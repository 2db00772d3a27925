package io.mistguard.proxy.soak;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The kinds of soak caller, one per way Mist's API is used (mist-api.md §1, §3, §5), so that every
 * route kind of the soak's route table is hit: the coalesced and stale-served GetState read (also
 * with a caller's own deadline), the never-shared {@code {"config":{}}} read, the writes, the queued
 * session invalidation, the Prometheus paths, pass-through (web UI, unknown commands), remote
 * callers with and without a login (from 127.0.0.2, outside {@code trusted_peers}, or naming a
 * forwarded client), and Mist's triggers through the trigger listener. Stateless.
 */
enum Traffic {

    GET_STATE(false, false, false) {
        @Override
        Call next(SplittableRandom r) {
            return Call.form(r.nextInt(5) == 0 ? "/" : "/api2", GET_STATE_JSON, "get-state");
        }
    },
    GET_STATE_OWN_DEADLINE(false, false, false) {
        @Override
        Call next(SplittableRandom r) {
            return Call.form("/api2", GET_STATE_JSON, "get-state").withDeadline(150 + r.nextInt(750));
        }
    },
    CONFIG_READ(false, false, false) {
        @Override
        Call next(SplittableRandom r) {
            return Call.form("/api2", "{\"config\":{}}", "config-read");
        }
    },
    WRITE(false, false, false) {
        @Override
        Call next(SplittableRandom r) {
            String w = "video+w" + r.nextInt(5);
            return switch (r.nextInt(6)) {
                case 0 -> Call.form("/api2", "{\"config\":{\"triggers\":{\"USER_NEW\":[{\"handler\":"
                        + "\"http://127.0.0.1:7979/api/mist/trigger\",\"sync\":true}]}}}", "config-write");
                case 1 -> Call.form("/", "{\"stop_sessions\":\"" + w + "\"}", "stop-sessions");
                case 2 -> Call.form("/", "{\"nuke_stream\":\"" + w + "\"}", "nuke-stream");
                case 3 -> Call.form("/api2", "{\"push_auto_add\":{\"stream\":\"" + w
                        + "\",\"target\":\"rtmp://127.0.0.1/live/$stream\"}}", "push-auto-add");
                case 4 -> Call.form("/api2", "{\"push_auto_remove\":[[\"" + w
                        + "\",\"rtmp://127.0.0.1/live/$stream\"]]}", "push-auto-remove");
                default -> Call.json("/api2", "{\"push_stop\":[" + (900_000 + r.nextInt(100)) + "]}", "push-stop");
            };
        }
    },
    INVALIDATE(false, false, false) {
        @Override
        Call next(SplittableRandom r) {
            List<String> names = new ArrayList<>();
            int n = r.nextInt(4) == 0 ? 2 + r.nextInt(4) : 1;
            for (int i = 0; i < n; i++) {
                // streams with viewers set off USER_NEW triggers at Mist; the others are just names. A
                // name that comes back is coalesced by the queue, but its later delivery also hides an
                // earlier acceptance that was lost (InvalidationLedger): a quarter are sent only once.
                int pick = r.nextInt(4);
                String name = pick == 0 ? "video+stream" + r.nextInt(STREAMS)
                        : pick == 1 ? ONCE_PREFIX + Long.toHexString(r.nextLong() >>> 1)
                        : "video+soak" + r.nextInt(300);
                if (!names.contains(name)) {
                    names.add(name);
                }
            }
            String value = names.size() == 1 && r.nextBoolean() ? quote(names.get(0))
                    : "[" + String.join(",", names.stream().map(Traffic::quote).toList()) + "]";
            String json = "{\"invalidate_sessions\":" + value + "}";
            Call call = switch (r.nextInt(3)) {
                case 0 -> Call.form("/", json, "invalidate-sessions");
                case 1 -> Call.json("/api2", json, "invalidate-sessions");
                default -> Call.query("/api2", json, "invalidate-sessions");
            };
            return call.invalidating(names);
        }
    },
    PROMETHEUS(false, false, false) {
        @Override
        Call next(SplittableRandom r) {
            return Call.get(r.nextBoolean() ? "/koekjes" : "/koekjes.json", "prometheus");
        }
    },
    PASS_THROUGH(false, false, false) {
        @Override
        Call next(SplittableRandom r) {
            return switch (r.nextInt(3)) {
                case 0 -> Call.get("/", "catch-all"); // Mist's web UI, which ends the connection
                case 1 -> Call.form("/api2", "{\"soak_unknown\":" + r.nextInt(10) + "}", "catch-all");
                default -> Call.get("/favicon.ico", "catch-all");
            };
        }
    },
    /** A peer outside {@code trusted_peers} (127.0.0.2) that never logs in: it must never be let in. */
    REMOTE_PEER(true, true, false) {
        @Override
        Call next(SplittableRandom r) {
            return remoteCommand(r);
        }
    },
    /** A trusted peer that names a forwarded client: remote to Mist, never let in without a login. */
    REMOTE_FORWARDED(true, false, false) {
        @Override
        Call next(SplittableRandom r) {
            String header = r.nextBoolean() ? "X-Forwarded-For: 203.0.113." + (1 + r.nextInt(200))
                    : "X-Real-IP: 198.51.100." + (1 + r.nextInt(200));
            return remoteCommand(r).withHeader(header);
        }
    },
    /** A remote peer (127.0.0.2) that answers each challenge with the md5 login on its connection. */
    REMOTE_LOGIN(true, true, true) {
        @Override
        Call next(SplittableRandom r) {
            return switch (r.nextInt(3)) {
                case 0 -> Call.form("/api2", GET_STATE_JSON, "get-state");
                case 1 -> Call.form("/api2", "{\"push_list\":true}", "catch-all");
                default -> Call.form("/api2", "{\"invalidate_sessions\":\"video+remote" + r.nextInt(10) + "\"}",
                        "invalidate-sessions");
            };
        }
    },
    /** Mist calling catalyst-api through the trigger listener. */
    TRIGGER(false, false, false) {
        @Override
        Call next(SplittableRandom r) {
            String stream = "video+stream" + r.nextInt(STREAMS);
            return switch (r.nextInt(4)) {
                case 0, 1 -> triggerCall("USER_NEW", stream + "\n203.0.113.9\n" + r.nextInt(1000) + "\nHLS\n"
                        + "https://viewer/hls/" + stream + "/index.m3u8\nsess-" + r.nextInt(50));
                case 2 -> triggerCall("STREAM_SOURCE", stream);
                default -> triggerCall("PUSH_END", r.nextInt(1000) + "\n" + stream + "\nrtmp://x\nrtmp://x\n[]\n{}");
            };
        }
    };

    static final String GET_STATE_JSON = "{\"active_streams\":[\"source\"],\"stats_streams\":[\"clients\","
            + "\"lastms\"],\"push_list\":true,\"push_auto_list\":true}";
    /** Names an invalidator sends once only: their loss cannot hide behind a later acceptance. */
    static final String ONCE_PREFIX = "video+once";
    /** sim-mist's streams with viewers: {@code video+stream0…}. */
    static final int STREAMS = 10;

    final boolean remote;
    /** Connects from 127.0.0.2, outside the soak's {@code trusted_peers}. */
    final boolean fromOtherPeer;
    final boolean logsIn;

    Traffic(boolean remote, boolean fromOtherPeer, boolean logsIn) {
        this.remote = remote;
        this.fromOtherPeer = fromOtherPeer;
        this.logsIn = logsIn;
    }

    abstract Call next(SplittableRandom r);

    /**
     * Every route (or {@code trigger:NAME}) this kind calls, found by drawing many calls; a login
     * (for {@link #logsIn}) is {@link Caller#LOGIN_ROUTE}.
     */
    java.util.Set<String> routes() {
        java.util.Set<String> out = new java.util.TreeSet<>();
        SplittableRandom r = new SplittableRandom(ordinal());
        for (int i = 0; i < 10_000; i++) {
            out.add(next(r).route());
        }
        if (logsIn) {
            out.add(Caller.LOGIN_ROUTE);
        }
        return out;
    }

    boolean trigger() {
        return this == TRIGGER;
    }

    /** What a remote caller might try: read, reach the whole config, invalidate, nuke. */
    private static Call remoteCommand(SplittableRandom r) {
        return switch (r.nextInt(4)) {
            case 0 -> Call.form("/api2", GET_STATE_JSON, "get-state");
            case 1 -> Call.form("/api2", "{\"config_backup\":true}", "catch-all");
            case 2 -> Call.form("/", "{\"invalidate_sessions\":\"video+remote" + r.nextInt(10) + "\"}",
                    "invalidate-sessions");
            default -> Call.form("/api2", "{\"nuke_stream\":\"video+w" + r.nextInt(5) + "\"}", "nuke-stream");
        };
    }

    private static Call triggerCall(String name, String payload) {
        return new Call("POST", "/api/mist/trigger", List.of("X-Trigger: " + name,
                "X-Trigger-UUID: " + java.util.UUID.randomUUID(), "X-UUID: soak", "X-Version: soak"),
                "text/plain", payload, "trigger:" + name, 0, List.of(), false);
    }

    private static String quote(String s) {
        return "\"" + s + "\"";
    }
}
