package io.mistguard.proxy.cli;

import io.mistguard.proxy.Mistguard;
import io.mistguard.sim.SimMist;
import java.io.PrintWriter;

/**
 * The {@code --demo} upstream: a simulated Mist (sim-mist) on ephemeral loopback ports, in the same
 * process, so mistguard can be tried on a machine without Mist. Prints the guided steps of
 * {@link DemoScript}, which make the simulated Mist misbehave through its control port.
 */
final class DemoUpstream implements AutoCloseable {

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
        String control = "http://127.0.0.1:" + mist.controlPort();
        out.println();
        out.println("mistguard demo: a simulated Mist listens on " + url() + " (fault control on " + control + "),");
        out.println("and mistguard forwards to it from " + address(mistguard.proxyAddress()) + " (admin on "
                    + address(mistguard.adminAddress()) + ").");
        script(mistguard).render().forEach(out::println);
        out.println();
        out.println("Stop with Ctrl-C.");
        out.flush();
    }

    /** The guided steps for this demo's addresses and the config in force. */
    DemoScript script(Mistguard mistguard) {
        return DemoScript.of(mistguard.config(), address(mistguard.proxyAddress()), address(mistguard.adminAddress()),
                             "http://127.0.0.1:" + mist.controlPort());
    }

    /** A URL a person can paste: a wildcard listener is reached on loopback. */
    private static String address(java.net.InetSocketAddress bound) {
        java.net.InetAddress ip = bound.getAddress();
        String host = ip.isAnyLocalAddress() ? "127.0.0.1"
                : ip instanceof java.net.Inet6Address ? "[" + ip.getHostAddress() + "]" : ip.getHostAddress();
        return "http://" + host + ":" + bound.getPort();
    }

    @Override
    public void close() {
        mist.close();
    }
}
