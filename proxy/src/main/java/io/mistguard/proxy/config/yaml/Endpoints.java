package io.mistguard.proxy.config.yaml;

import io.mistguard.proxy.config.HostPort;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * Whether two addresses of the config file are one socket, for the cross-field checks: two
 * listeners that would collide, or an upstream that points back at one of mistguard's own
 * listeners (a loop). Only what the text says is used — never DNS — so {@code check-config} gives
 * the same answer on any machine: {@code localhost}, {@code 127.0.0.1} and {@code ::1} are the
 * loopback; a wildcard listener ({@code 0.0.0.0}, {@code ::}) takes every loopback and wildcard
 * address on its port. An address of one of this machine's other interfaces is not recognised
 * here; the trigger listener's {@code Mistguard-Via} guard cuts such a loop at run time. Port 0
 * asks the OS for a free port, so it never collides. Stateless.
 */
final class Endpoints {

    private Endpoints() {}

    /** Whether listeners on {@code a} and {@code b} would want the same socket. */
    static boolean collide(HostPort a, HostPort b) {
        return a.port() != 0 && a.port() == b.port() && (sameHost(a, b) || wildcard(a) || wildcard(b));
    }

    /**
     * Whether connecting to {@code target} reaches the listener on {@code listener}. A connect to a
     * wildcard address ({@code 0.0.0.0}, {@code ::}) goes to this host's loopback on Linux, so such a
     * target reaches a loopback listener too (found by review: {@code --upstream http://[::]:P} in front
     * of {@code --listen [::1]:P} started, and requests looped).
     */
    static boolean reaches(HostPort target, HostPort listener) {
        if (listener.port() == 0 || target.port() != listener.port()) {
            return false;
        }
        return sameHost(target, listener) || wildcard(listener) && (loopback(target) || wildcard(target))
               || wildcard(target) && loopback(listener);
    }

    private static boolean sameHost(HostPort a, HostPort b) {
        return canonical(a.host()).equals(canonical(b.host()));
    }

    /** The loopback names are one host; IPv6 literals in one spelling; names lower-cased. */
    private static String canonical(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        InetAddress literal = literal(h);
        if (h.equals("localhost") || literal != null && isTheLoopback(literal)) {
            return "localhost";
        }
        return literal == null ? h : literal.getHostAddress();
    }

    private static boolean wildcard(HostPort p) {
        InetAddress literal = literal(p.host());
        return literal != null && literal.isAnyLocalAddress();
    }

    private static boolean loopback(HostPort p) {
        InetAddress literal = literal(p.host());
        return p.host().equalsIgnoreCase("localhost") || literal != null && literal.isLoopbackAddress();
    }

    /** 127.0.0.1 and ::1, which {@code localhost} names; 127.0.0.2 is another address. */
    private static boolean isTheLoopback(InetAddress a) {
        byte[] b = a.getAddress();
        return b.length == 4 ? b[0] == 127 && b[1] == 0 && b[2] == 0 && b[3] == 1 : a.isLoopbackAddress();
    }

    /** An IP literal as an address, without DNS; {@code null} for a host name. */
    private static InetAddress literal(String host) {
        byte[] bytes = NetUtil.createByteArrayFromIpAddressString(host);
        if (bytes == null) {
            return null;
        }
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
