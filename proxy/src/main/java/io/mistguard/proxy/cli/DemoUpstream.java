package io.mistguard.proxy.cli;

import io.mistguard.proxy.Mistguard;
import io.mistguard.sim.SimMist;
import java.io.PrintWriter;

/**
 * The {@code --demo} upstream: a simulated Mist (sim-mist) on ephemeral loopback ports, in the same
 * process, so mistguard can be tried on a machine without Mist. Prints what to try, including how to
 * make the simulated Mist misbehave through its control port.
 */
final class DemoUpstream implements AutoCloseable {

    private static final String GET_STATE = "{\"active_streams\":[\"source\"],\"stats_streams\":[\"clients\",\"lastms\"],"
            + "\"push_list\":true,\"push_auto_list\":true}";

    private final SimMist mist;

    private DemoUpstream(SimMist mist) {
        this.mist = mist;
    }

    static DemoUpstream start() {
        return new DemoUpstream(SimMist.builder().host("127.0.0.1").port(0).controlPort(0).streams(5, 3).start());
    }

    String url() {
        return "http://127.0.0.1:" + mist.port();
    }

    void printWelcome(PrintWriter out, Mistguard mistguard) {
        String proxy = "http://127.0.0.1:" + mistguard.proxyAddress().getPort();
        String admin = "http://127.0.0.1:" + mistguard.adminAddress().getPort();
        String control = "http://127.0.0.1:" + mist.controlPort();
        out.println();
        out.println("mistguard demo: a simulated Mist listens on " + url() + " (fault control on " + control + "),");
        out.println("mistguard forwards to it from " + proxy + ". Try, in another terminal:");
        out.println();
        out.println("  # Catalyst's GetState, through mistguard (headers show Mistguard-Decision):");
        out.println("  curl -si " + proxy + "/api2 --data-urlencode 'command=" + GET_STATE + "'");
        out.println("  # Prometheus stats, passed through untouched:");
        out.println("  curl -s " + proxy + "/koekjes");
        out.println("  # Make Mist hang on every request. GetState is then answered 504 within its route's budget ("
                + getStateBudget(mistguard) + "), and an invalidation is still answered at once (queued):");
        out.println("  curl -s -XPOST " + control + "/faults -d '{\"action\":\"hang\"}'");
        out.println("  curl -si " + proxy + "/api2 --data-urlencode 'command=" + GET_STATE + "'");
        out.println("  curl -si " + proxy + "/ --data-urlencode 'command={\"invalidate_sessions\":\"video+stream0\"}'");
        out.println("  curl -s -XDELETE " + control + "/faults    # Mist recovers; the queued invalidation is delivered");
        out.println("  # mistguard's own health:");
        out.println("  curl -s " + admin + "/healthz");
        out.println();
        out.println("Stop with Ctrl-C.");
        out.flush();
    }

    private static String getStateBudget(Mistguard mistguard) {
        return mistguard.config().policy().routes().stream()
                .filter(route -> route.name().equals("get-state"))
                .map(route -> route.timeout().toMillis() + " ms")
                .findFirst().orElse("its route budget");
    }

    @Override
    public void close() {
        mist.close();
    }
}
