package io.mistguard.proxy.cli;

import io.mistguard.proxy.config.ProxyConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * What this JVM and process cannot give the configuration's limits, as warnings: direct memory for
 * the message-size limits ({@link DirectMemoryCheck}) and file descriptors for the connection limits
 * ({@link FileDescriptorCheck}). A start prints them and still starts, as does {@code check-config},
 * which judges the JVM it runs in. Stateless.
 */
final class ResourceChecks {

    private ResourceChecks() {
    }

    /** The warnings for {@code config} in this JVM, each one line; empty when every limit can be met. */
    static List<String> warnings(ProxyConfig config) {
        List<String> warnings = new ArrayList<>(DirectMemoryCheck.warnings(config, DirectMemoryCheck.maxDirectBytes()));
        FileDescriptorCheck.warning(config, FileDescriptorCheck.maxDescriptors()).ifPresent(warnings::add);
        return warnings;
    }
}
