package io.mistguard.proxy.cli;

import io.mistguard.proxy.config.ProxyConfig;
import io.netty.util.internal.PlatformDependent;
import java.util.ArrayList;
import java.util.List;

/**
 * The start-up check of the configured message-size limits against the direct memory this JVM may
 * use. mistguard holds each request, trigger and answer whole in Netty buffers, which come from direct
 * memory ({@code -XX:MaxDirectMemorySize}; the image gives 32 MiB, shared by every message in flight).
 * A limit that one message cannot reach within that memory promises what mistguard cannot keep: a
 * message too large for what is left is answered 503 {@code out-of-memory}, not relayed and not
 * refused as too large. Measured under the image's flags (2026-12-07): as the first request of a
 * fresh process an answer from Mist of 22 MiB passed and one of 24 MiB did not (read buffers hold
 * more than the bytes they carry until the reads have grown); once warm, 24 MiB passed and 31 MiB did
 * not. So mistguard warns at start when a limit is over half of its direct memory, which leaves room
 * for the rest in flight, and {@code check-config} does too; it still starts, since smaller messages
 * pass and the operator decides.
 *
 * <p>The direct memory is this JVM's: {@code check-config} run outside the image, with other flags,
 * judges its own. Stateless.
 */
final class DirectMemoryCheck {

    private DirectMemoryCheck() {
    }

    /** The direct memory this JVM may use, in bytes, as Netty reads it. */
    static long maxDirectBytes() {
        return PlatformDependent.maxDirectMemory();
    }

    /**
     * The largest message, in bytes, that {@code maxDirectBytes} of direct memory is counted on to
     * hold beside the rest in flight: half of it.
     */
    static long largestHeld(long maxDirectBytes) {
        return maxDirectBytes / 2;
    }

    /**
     * One warning per limit of {@code config} over {@link #largestHeld} of {@code maxDirectBytes}:
     * {@code upstream.max_response_bytes}, {@code limits.max_body_bytes} and, when the trigger
     * listener is on, {@code triggers.max_request_bytes} and {@code triggers.max_response_bytes}.
     * Empty when all fit.
     *
     * @param maxDirectBytes the direct memory the JVM may use, in bytes, 1 or more
     */
    static List<String> warnings(ProxyConfig config, long maxDirectBytes) {
        List<String> warnings = new ArrayList<>();
        check("upstream.max_response_bytes", "an answer from Mist", config.upstream().maxResponseBytes(),
              maxDirectBytes, warnings);
        check("limits.max_body_bytes", "a caller's request", config.limits().maxBodyBytes(), maxDirectBytes, warnings);
        if (config.triggers().enabled()) {
            check("triggers.max_request_bytes", "a trigger from Mist", config.triggers().maxRequestBytes(),
                  maxDirectBytes, warnings);
            check("triggers.max_response_bytes", "an answer from catalyst-api", config.triggers().maxResponseBytes(),
                  maxDirectBytes, warnings);
        }
        return warnings;
    }

    private static void check(String key, String message, long limit, long maxDirectBytes, List<String> warnings) {
        long held = largestHeld(maxDirectBytes);
        if (limit <= held) {
            return;
        }
        warnings.add(key + " is " + ResourceChecks.mib(limit) + ", but this JVM's direct memory (-XX:MaxDirectMemorySize) is "
                     + ResourceChecks.mib(maxDirectBytes) + " for every message in flight: " + message + " over about "
                     + ResourceChecks.mib(held) + " is answered 503 out-of-memory instead of relayed. Lower " + key + " to "
                     + ResourceChecks.mib(held) + " or less, or raise -XX:MaxDirectMemorySize (and the container's memory "
                     + "limit) with it");
    }
}
