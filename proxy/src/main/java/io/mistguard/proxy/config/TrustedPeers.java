package io.mistguard.proxy.config;

import static java.util.Objects.requireNonNull;

import java.net.InetAddress;
import java.util.List;

/**
 * The {@code trusted_peers} key: the address blocks whose connections mistguard may present to Mist
 * as local callers.
 *
 * <p>Mist trusts a TCP connection from one of its host's own addresses as local, and that trust
 * sticks to the connection (mist-api.md §2, §8). mistguard's connections to Mist come from loopback,
 * so without this rule every caller that can reach mistguard's port would get Mist's local rights.
 * A request is local-equivalent only when its peer is in one of these blocks and it carries neither
 * {@code X-Forwarded-For} nor {@code X-Real-IP}. The default, {@code [127.0.0.0/8, ::1/128]}, trusts
 * exactly the callers Mist itself would trust on a loopback-only host. Immutable; thread-safe.
 *
 * @param blocks the trusted blocks; empty trusts nobody, so every request rides a private connection
 */
public record TrustedPeers(List<Cidr> blocks) {

    private static final TrustedPeers DEFAULTS =
            new TrustedPeers(List.of(Cidr.parse("127.0.0.0/8"), Cidr.parse("::1/128")));

    public TrustedPeers {
        blocks = List.copyOf(requireNonNull(blocks, "blocks"));
    }

    /** Whether {@code peer} is in a trusted block; {@code null} (not an IP peer) is never trusted. */
    public boolean contains(InetAddress peer) {
        if (peer == null) {
            return false;
        }
        for (Cidr block : blocks) {
            if (block.contains(peer)) {
                return true;
            }
        }
        return false;
    }

    /** {@code [127.0.0.0/8, ::1/128]}: loopback only. */
    public static TrustedPeers defaults() {
        return DEFAULTS;
    }

    @Override
    public String toString() {
        return blocks.toString();
    }
}
