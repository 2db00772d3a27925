package io.mistguard.proxy.cli;

import io.mistguard.proxy.config.ProxyConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What this JVM and process cannot give the configuration's limits, as warnings: direct memory for
 * the message-size limits ({@link DirectMemoryCheck}), heap for the stores and connections
 * ({@link HeapCheck}) and file descriptors for the connection limits ({@link FileDescriptorCheck}).
 * A start prints them and still starts, as does {@code check-config}, which judges the JVM it runs
 * in; a reload logs them. Stateless.
 */
final class ResourceChecks {

    private ResourceChecks() {
    }

    /** The warnings for {@code config} in this JVM, each one line; empty when every limit can be met. */
    static List<String> warnings(ProxyConfig config) {
        List<String> warnings = new ArrayList<>(DirectMemoryCheck.warnings(config, DirectMemoryCheck.maxDirectBytes()));
        HeapCheck.warning(config, HeapCheck.maxHeapBytes()).ifPresent(warnings::add);
        FileDescriptorCheck.warning(config, FileDescriptorCheck.maxDescriptors()).ifPresent(warnings::add);
        return warnings;
    }

    /**
     * {@code bytes} in MiB: whole ones as {@code 16 MiB}, others to a tenth ({@code 19.1 MiB}), with
     * the bytes when that tenth would read as a whole number ({@code 24.0 MiB (25165825 bytes)}).
     */
    static String mib(long bytes) {
        double mib = bytes / (double) (1 << 20);
        if (mib == Math.rint(mib)) {
            return (long) mib + " MiB";
        }
        String tenth = String.format(Locale.ROOT, "%.1f MiB", mib);
        return tenth.endsWith(".0 MiB") ? tenth + " (" + bytes + " bytes)" : tenth;
    }
}
