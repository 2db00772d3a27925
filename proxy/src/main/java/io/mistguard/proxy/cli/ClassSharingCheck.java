package io.mistguard.proxy.cli;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warns at start when the JVM was given a class-data-sharing archive ({@code -XX:SharedArchiveFile}) and
 * shares no classes. The image's archive is a static one ({@code deploy/cds-archive.sh}), made for one
 * jar file (path, size, modification time) by one JVM under the flags that shape it; otherwise the JVM
 * refuses it, says nothing at its default log level, and runs without any shared class, the JDK's
 * included: start-up then takes about twice as long and idle RSS grows. Whether classes are shared is read from {@code java.vm.info}, which HotSpot
 * ends with {@code sharing} when they are. Called once, at start, on the start-up thread.
 */
final class ClassSharingCheck {

    private static final Logger log = LoggerFactory.getLogger(ClassSharingCheck.class);
    private static final String ARCHIVE_FLAG = "-XX:SharedArchiveFile=";

    private ClassSharingCheck() {}

    /** Logs the warning of {@link #problem} for this JVM, if any. */
    static void warnIfArchiveUnused() {
        problem(ManagementFactory.getRuntimeMXBean().getInputArguments(), System.getProperty("java.vm.info"))
                .ifPresent(log::warn);
    }

    /**
     * The warning for a JVM started with {@code jvmArguments} whose {@code java.vm.info} is {@code vmInfo},
     * or empty when no archive was named, sharing was turned off ({@code -Xshare:off}; for both flags the
     * last one counts, as for the JVM), or classes are shared.
     */
    static Optional<String> problem(List<String> jvmArguments, String vmInfo) {
        String archive = null;
        boolean sharingOff = false;
        for (String argument : jvmArguments) {
            if (argument.startsWith(ARCHIVE_FLAG)) {
                archive = argument.substring(ARCHIVE_FLAG.length());
            } else if (argument.startsWith("-Xshare:")) {
                sharingOff = argument.equals("-Xshare:off");
            }
        }
        if (archive == null || sharingOff || vmInfo == null || vmInfo.contains("sharing")) {
            return Optional.empty();
        }
        return Optional.of("the class-data-sharing archive " + archive + " could not be used, so no class is shared: "
                + "start-up is slower and RSS higher. A JVM takes an archive only if it is there and readable, made "
                + "by the same JVM with the options that shape it (such as -XX:-UseCompressedOops), for the very jar "
                + "file it runs (same path, size and modification time); java -Xshare:on with the same flags says "
                + "which failed. Make it again for this jar and JVM with deploy/cds-archive.sh, as the image does.");
    }
}
