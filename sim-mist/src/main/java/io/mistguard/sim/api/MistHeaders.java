package io.mistguard.sim.api;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The fixed headers Mist puts on its replies: the CORS and no-cache set of every API reply and the
 * identification headers of its web UI page. Constants only; immutable.
 */
final class MistHeaders {

    static final String SERVER = "MistServer/3.10";

    /** What Mist's {@code setCORSHeaders()} adds to every API reply. */
    static final Map<String, String> CORS = ordered(
            "Access-Control-Allow-Origin", "*",
            "Access-Control-Allow-Credentials", "true",
            "Access-Control-Expose-Headers", "*",
            "Access-Control-Max-Age", "600",
            "Access-Control-Allow-Methods", "GET, POST, OPTIONS, HEAD",
            "Access-Control-Allow-Headers", "*",
            "Access-Control-Request-Method", "GET",
            "Access-Control-Request-Headers", "*",
            "Cache-Control", "no-cache, no-store, must-revalidate",
            "Pragma", "no-cache",
            "Expires", "0");

    /** The web UI page's headers besides its content type and length. */
    static final Map<String, String> WEB_UI = ordered(
            "X-Info", "To force an API response, request the file /api",
            "Server", SERVER,
            "X-UA-Compatible", "IE=edge;chrome=1");

    private MistHeaders() {
    }

    private static Map<String, String> ordered(String... namesAndValues) {
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            out.put(namesAndValues[i], namesAndValues[i + 1]);
        }
        return Collections.unmodifiableMap(out);
    }
}
