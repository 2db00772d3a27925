package io.mistguard.proxy.soak;

import io.mistguard.proxy.Main;
import io.mistguard.proxy.blocking.BlockingCalls;
import io.mistguard.proxy.cli.RunCommand;
import io.mistguard.sim.junit.NettyLeakGuard;
import reactor.blockhound.BlockHound;

/**
 * The main class of the soak's mistguard process: mistguard's own command line
 * ({@link RunCommand}, what {@code mistguard.jar} runs, after the same {@link Main#nettyDefaults}), with the test JVMs' watchdogs installed
 * around it, since the soak's mistguard lives outside the test JVM and their failures would
 * otherwise go unseen. BlockHound watches mistguard's event loops ({@link BlockingCalls}); Netty's
 * leak detector runs at the level the JVM was started with (paranoid). After mistguard has stopped,
 * it provokes leak detection ({@link NettyLeakGuard}) and prints each leak as a {@code SOAK-LEAK}
 * line and each blocking call as a {@code SOAK-BLOCKING} line; while it runs, a
 * {@link StallMonitor} prints each time the process was not scheduled as a {@code SOAK-STALL} line.
 * The soak reads all three from this process's log. Exits with mistguard's exit status.
 */
public final class SoakChild {

    static final String LEAK = "SOAK-LEAK";
    static final String BLOCKING = "SOAK-BLOCKING";
    static final String STALL = "SOAK-STALL";

    private SoakChild() {
    }

    public static void main(String[] args) {
        Main.nettyDefaults(System.getProperties()); // as mistguard.jar's main does, before any Netty class
        BlockHound.install(); // with every BlockHoundIntegration on the class path: Netty's and BlockingCalls
        StallMonitor stalls = new StallMonitor("soak-child-stalls",
                (from, to, excusable) -> System.out.println(STALL + " " + from + " " + to + " " + excusable));
        int status = RunCommand.commandLine().execute(args);
        stalls.close();
        report();
        System.out.println("soak-child: mistguard exited " + status);
        System.out.flush();
        System.exit(status);
    }

    private static void report() {
        try {
            NettyLeakGuard.assertNoLeaks("mistguard under soak");
        } catch (AssertionError e) {
            System.out.println(LEAK + " " + e.getMessage().replace("\n", "\n" + LEAK + " "));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (String call : BlockingCalls.drain()) {
            System.out.println(BLOCKING + " " + call.replace("\n", "\n" + BLOCKING + " "));
        }
        System.out.flush();
    }
}
