package io.mistguard.proxy.soak;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Counts a process's accepted connections on one of its listening ports, from {@code /proc}: the
 * socket inodes among its file descriptors, matched against the kernel's TCP tables. The soak needs
 * it because sim-mist's trigger sender (the JDK's HTTP client, as Mist's stand-in) keeps idle
 * keep-alive connections to the trigger listener for as long as that listener allows (60 s), and
 * they are file descriptors of mistguard's that mistguard did not choose to hold. Stateless.
 */
final class InboundSockets {

    private static final String LISTEN = "0A";

    private InboundSockets() {
    }

    /** Connections (not the listening socket) of {@code pid} whose local port is {@code port}; 0 if unreadable. */
    static int count(long pid, int port) {
        try {
            Set<String> inodes = new HashSet<>();
            try (var fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
                for (Path fd : fds.toList()) {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        inodes.add(target.substring(8, target.length() - 1));
                    }
                }
            }
            String hexPort = String.format(Locale.ROOT, ":%04X", port);
            int n = 0;
            for (String table : List.of("tcp", "tcp6")) {
                Path file = Path.of("/proc", Long.toString(pid), "net", table);
                if (!Files.exists(file)) {
                    continue;
                }
                List<String> lines = Files.readAllLines(file);
                for (String line : lines.subList(1, lines.size())) {
                    String[] f = line.trim().split("\\s+");
                    if (f[1].endsWith(hexPort) && !f[3].equals(LISTEN) && inodes.contains(f[9])) {
                        n++;
                    }
                }
            }
            return n;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
