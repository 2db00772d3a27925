package io.mistguard.proxy.cli;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warns at start when the JVM was given a class-data-sharing archive ({@code -XX:SharedArchiveFile}) and
 * shares no classes. The image's archive is a static one, made for one jar at one path by one JVM
 * ({@code deploy/Dockerfile}); with another jar or JVM the JVM refuses it, says nothing at its default
 * log level, and runs without any shared class, the JDK's included: start-up then takes about twice as
 * long and idle RSS grows. Whether classes are shared is read from {@code java.vm.info}, which HotSpot
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
     * or empty when no archive was named (the last {@code -XX:SharedArchiveFile} counts, as for the JVM) or
     * classes are shared.
     */
    static Optional<String> problem(List<String> jvmArguments, String vmInfo) {
        String archive = null;
        for (String argument : jvmArguments) {
            if (argument.startsWith(ARCHIVE_FLAG)) {
                archive = argument.substring(ARCHIVE_FLAG.length());
            }
        }
        if (archive == null || vmInfo == null || vmInfo.contains("sharing")) {
            return Optional.empty();
        }
        return Optional.of("the class-data-sharing archive " + archive + " could not be used, so no class is shared "
                + "(it was made for another jar or another JVM, or is unreadable; -Xshare:on tells why): start-up "
                + "is slower and RSS higher. Make it again for this jar and JVM, as deploy/Dockerfile does.");
    }
}
