package io.mistguard.proxy.blocking;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import reactor.blockhound.BlockHound;
import reactor.blockhound.BlockingOperationError;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * BlockHound's configuration for the test JVMs (issue #14): which threads must never block, what is
 * allowed to, and what happens when one does. Registered through
 * {@code META-INF/services/reactor.blockhound.integration.BlockHoundIntegration}; BlockHound is
 * installed before the first test by {@code blockhound-junit-platform}.
 *
 * <p>BlockHound throws {@link BlockingOperationError} in the thread that blocked: on an event loop
 * Netty may turn that into {@code exceptionCaught} and a closed connection, which a test need not
 * notice. So every call is also recorded here, and {@link BlockingCallGuard} fails the test during
 * which it happened.
 *
 * <p>Watched threads: mistguard's own event loops. Netty's integration marks every Netty event loop
 * thread as one that must not block; of those, only the ones named {@code mistguard-…} fail a test.
 * sim-mist's loops are left out on purpose: they are the simulated upstream, and Mist itself blocks
 * every command under its global lock.
 * Thread-safe.
 */
public final class BlockingCalls implements BlockHoundIntegration {

    private static final List<String> SEEN = new ArrayList<>();

    /** mistguard's event loops: {@code Transport.newGroup}'s thread names. */
    static final String WATCHED_PREFIX = "mistguard-";

    @Override
    public void applyTo(BlockHound.Builder builder) {
        // The allow-list: each entry proven harmless, with its reason.
        // An io_uring event loop's last act, when its group shuts down: Netty spins (Thread.onSpinWait)
        // until the kernel has let go of the ring's wake-up before closing it. No channel is served
        // by then; epoll's loop closes its descriptors without waiting.
        builder.allowBlockingCallsInside("io.netty.channel.uring.IoUringIoHandler", "destroy");
        builder.blockingMethodCallback(method -> {
            Thread thread = Thread.currentThread();
            if (!thread.getName().startsWith(WATCHED_PREFIX)) {
                return; // another Netty loop (sim-mist, a test's own): let the call proceed
            }
            record(thread.getName() + " blocked in " + method + "\n" + stack());
            throw new BlockingOperationError(method);
        });
    }

    /** After Netty's integration, which marks every Netty event loop thread as non-blocking. */
    @Override
    public int getPriority() {
        return Integer.MAX_VALUE;
    }

    private static void record(String call) {
        synchronized (SEEN) {
            SEEN.add(call);
        }
    }

    /** The blocking calls seen since the last call, oldest first. */
    public static List<String> drain() {
        synchronized (SEEN) {
            List<String> seen = List.copyOf(SEEN);
            SEEN.clear();
            return seen;
        }
    }

    private static String stack() {
        return Arrays.stream(new Throwable().getStackTrace()).skip(2).limit(25)
                .map(frame -> "    at " + frame).collect(Collectors.joining("\n"));
    }
}
