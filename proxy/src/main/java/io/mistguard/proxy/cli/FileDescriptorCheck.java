package io.mistguard.proxy.cli;

import io.mistguard.proxy.admin.AdminServer;
import io.mistguard.proxy.config.ProxyConfig;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.util.Optional;

/**
 * The start-up check of the connection limits against the files this process may open. Every
 * connection is a file descriptor: a caller's, a trigger's from Mist, one to Mist or catalyst-api.
 * Past the process's limit ({@code ulimit -n}; HotSpot raises the soft limit to the hard one at
 * start, so the hard limit counts), {@code accept} fails with "Too many open files": callers wait
 * unanswered in the listen backlog instead of getting the 503 {@code too-many-connections} that
 * {@code limits.max_connections} promises, and connections to Mist cannot be opened. So mistguard
 * warns at start, and {@code check-config} does too; it still starts.
 *
 * <p>What is counted: {@code limits.max_connections}, the admin listener's
 * {@value AdminServer#MAX_CONNECTIONS}, and {@value #RESERVED} more for the JVM's own files, the
 * listeners, the few connections Mist opens to the trigger listener and the connections to Mist and
 * catalyst-api. That is a floor, not a sum of every case: a request at Mist holds a second
 * descriptor while it is there, and the trigger listener's own cap of
 * 10 000 is a bound against a runaway peer, not load to plan for.
 * Stateless.
 */
final class FileDescriptorCheck {

    /** Descriptors kept for the JVM's own files (~30 at start), the listeners and upstream connections. */
    static final long RESERVED = 256;

    private FileDescriptorCheck() {
    }

    /** The most files this process may open, or -1 where the JVM cannot say (not a Unix). */
    static long maxDescriptors() {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.UnixOperatingSystemMXBean unix ? unix.getMaxFileDescriptorCount() : -1;
    }

    /** The descriptors {@code config}'s connection limits need at least. */
    static long needed(ProxyConfig config) {
        return (long) config.limits().maxConnections() + AdminServer.MAX_CONNECTIONS + RESERVED;
    }

    /**
     * The warning when {@code maxDescriptors} is below {@link #needed}; empty when it is not, or
     * when it is unknown ({@code < 1}).
     */
    static Optional<String> warning(ProxyConfig config, long maxDescriptors) {
        long needed = needed(config);
        if (maxDescriptors < 1 || maxDescriptors >= needed) {
            return Optional.empty();
        }
        long fits = maxDescriptors - (needed - config.limits().maxConnections());
        return Optional.of("limits.max_connections is " + config.limits().maxConnections()
                + ", but this process may open only " + maxDescriptors + " files (ulimit -n): past that, "
                + "accepting a connection fails with \"Too many open files\", callers wait unanswered instead of "
                + "getting 503 too-many-connections, and no connection to Mist can be opened. Raise the hard "
                + "limit (ulimit -Hn, systemd's LimitNOFILE, the container runtime's nofile) to at least " + needed
                + (fits >= 1 ? ", or lower limits.max_connections to " + fits + " or less"
                             : "; mistguard's own " + (needed - config.limits().maxConnections())
                               + " (the admin listener, upstream connections, the JVM's files) do not fit below it"));
    }
}
