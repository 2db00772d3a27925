package io.mistguard.proxy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Loopback TCP ports that a test names before anything listens on them: a child mistguard's
 * {@code --listen}, a trigger URL sim-mist must know first, or an upstream where nothing listens
 * (connections refused).
 *
 * <p>Picking a port by binding port 0 and closing the socket, as the tests once did, fails in two
 * ways:
 * <ol>
 *   <li>two such picks in a row can return the same port (a CI run gave a child mistguard the same
 *       port for {@code --listen} and {@code --admin-listen}, and it refused its configuration);</li>
 *   <li>a picked port lies in the kernel's ephemeral range, so until it is bound again any listener on
 *       port 0 may get it, and so may a client's source port: a caller connecting from 127.0.0.1 to
 *       127.0.0.1:P may get P and connect to itself (TCP simultaneous open), where the test expected
 *       a refusal or its own listener.</li>
 * </ol>
 * So every port here lies outside {@code /proc/sys/net/ipv4/ip_local_port_range} when the range leaves
 * room (below it when it starts above 12 000, else above it), is free when picked, and is never handed
 * out twice by this JVM. A port only some other process binds in between can still collide; the tests
 * run in one JVM per Maven plugin, one at a time.
 *
 * <p>Thread-safe.
 */
public final class LoopbackPorts {

    /** Lowest port picked below the ephemeral range: clear of well-known and registered daemons' usual ports. */
    private static final int LOWEST = 10_000;
    private static final int ATTEMPTS = 500;
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    private LoopbackPorts() {
    }

    /**
     * A loopback port nothing listens on now, outside the ephemeral range, never returned before by
     * this JVM. Connections to it are refused until the caller's listener binds it.
     *
     * @throws IOException when 500 random candidates were all taken
     */
    public static int free() throws IOException {
        return freeRun(1);
    }

    /**
     * The first of {@code length} consecutive ports, each as {@link #free()} describes.
     *
     * @param length 1 to 16
     * @throws IOException when 500 random candidates were all taken
     */
    public static int freeRun(int length) throws IOException {
        if (length < 1 || length > 16) {
            throw new IllegalArgumentException("length " + length + " is not 1..16");
        }
        int[] range = pickRange(length);
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            int first = range[0] + ThreadLocalRandom.current().nextInt(range[1] - range[0] + 1);
            if (claim(first, length)) {
                return first;
            }
        }
        throw new IOException("no " + length + " free consecutive loopback ports in " + range[0] + ".." + range[1]);
    }

    /** Claims {@code first .. first + length - 1} if none was handed out and each binds now; releases the claim otherwise. */
    private static boolean claim(int first, int length) {
        for (int i = 0; i < length; i++) {
            if (!HANDED_OUT.add(first + i)) {
                release(first, i);
                return false;
            }
        }
        for (int i = 0; i < length; i++) {
            if (!bindable(first + i)) {
                release(first, length);
                return false;
            }
        }
        return true;
    }

    private static void release(int first, int count) {
        for (int i = 0; i < count; i++) {
            HANDED_OUT.remove(first + i);
        }
    }

    private static boolean bindable(int port) {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException taken) {
            return false;
        }
    }

    /** Inclusive bounds for a run's first port: below the ephemeral range, else above it, else anywhere. */
    private static int[] pickRange(int length) {
        int[] ephemeral = ephemeralRange();
        if (ephemeral[0] - length > LOWEST + 2_000) {
            return new int[] {LOWEST, ephemeral[0] - length};
        }
        if (ephemeral[1] + 2_000 < 65_535 - length) {
            return new int[] {ephemeral[1] + 1, 65_536 - length};
        }
        return new int[] {LOWEST, 65_536 - length};
    }

    private static int[] ephemeralRange() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0).trim().split("\\s+");
            return new int[] {Integer.parseInt(f[0]), Integer.parseInt(f[1])};
        } catch (IOException | RuntimeException e) {
            return new int[] {32_768, 60_999}; // Linux's default
        }
    }
}
