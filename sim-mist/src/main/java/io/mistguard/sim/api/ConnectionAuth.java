package io.mistguard.sim.api;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketAddress;
import java.net.SocketException;

/**
 * The authorisation state of one TCP connection, as Mist keeps it: authorised or not, the current
 * challenge, and how many unauthorised replies it has had. Only the command thread touches it, so
 * it needs no synchronisation.
 */
final class ConnectionAuth {

    final InetAddress peer;
    boolean authorized;
    boolean local;
    int failures;
    String challenge;
    private Boolean peerIsOwnAddress;

    ConnectionAuth(SocketAddress remote) {
        this.peer = remote instanceof InetSocketAddress inet ? inet.getAddress() : null;
    }

    /** True when the peer is one of this host's addresses (looked up once, on the command thread). */
    boolean peerIsOwnAddress() {
        if (peerIsOwnAddress == null) {
            peerIsOwnAddress = peer != null && (peer.isLoopbackAddress() || isInterfaceAddress(peer));
        }
        return peerIsOwnAddress;
    }

    String peerIp() {
        return peer == null ? "" : peer.getHostAddress();
    }

    private static boolean isInterfaceAddress(InetAddress address) {
        try {
            return NetworkInterface.getByInetAddress(address) != null;
        } catch (SocketException e) {
            return false;
        }
    }
}
