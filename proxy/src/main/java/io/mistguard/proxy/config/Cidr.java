package io.mistguard.proxy.config;

import static java.util.Objects.requireNonNull;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * An IP address block in CIDR notation ({@code 127.0.0.0/8}, {@code ::1/128}, or a bare address,
 * which is a block of one), as RFC 4632 §3.1 writes it. Only literal addresses are accepted, never
 * host names: a trust rule must not depend on DNS.
 *
 * <p>An IPv4-mapped IPv6 peer ({@code ::ffff:127.0.0.1}, what a dual-stack listener may report) is
 * matched as the IPv4 address it carries. Immutable; thread-safe.
 *
 * @param network the block's first address, host bits cleared (4 or 16 bytes)
 * @param prefixLength how many leading bits are fixed: 0–32 for IPv4, 0–128 for IPv6
 */
public record Cidr(byte[] network, int prefixLength) {

    public static final String EXPECTED = "an IP address block like 127.0.0.0/8, 10.1.2.3/32 or ::1/128";

    public Cidr {
        requireNonNull(network, "network");
        if (network.length != 4 && network.length != 16) {
            throw new IllegalArgumentException("network: " + network.length + " bytes (expected: 4 or 16)");
        }
        if (prefixLength < 0 || prefixLength > network.length * 8) {
            throw new IllegalArgumentException("prefix length: " + prefixLength + " (expected: 0 to "
                    + network.length * 8 + ")");
        }
        network = mask(network.clone(), prefixLength);
    }

    /**
     * Parses {@code address/prefix} or a bare address.
     *
     * @throws IllegalArgumentException naming what was expected, for the operator
     */
    public static Cidr parse(String text) {
        requireNonNull(text, "text");
        String trimmed = text.trim();
        int slash = trimmed.indexOf('/');
        String address = slash < 0 ? trimmed : trimmed.substring(0, slash);
        byte[] bytes = literal(address, text);
        int prefix = bytes.length * 8;
        if (slash >= 0) {
            String bits = trimmed.substring(slash + 1);
            try {
                prefix = Integer.parseInt(bits);
            } catch (NumberFormatException e) {
                prefix = -1;
            }
            if (!bits.chars().allMatch(Character::isDigit) || prefix < 0 || prefix > bytes.length * 8) {
                throw new IllegalArgumentException(Quotes.quote(text) + " has prefix length " + Quotes.quote(bits)
                        + " (expected: 0 to " + bytes.length * 8 + ")");
            }
        }
        Cidr block = new Cidr(bytes, prefix);
        if (!java.util.Arrays.equals(block.network, bytes)) {
            // 10.0.0.1/8 is most likely a typo for 10.0.0.1/32: a trust rule must not guess.
            throw new IllegalArgumentException(Quotes.quote(text) + " has host bits set (expected: " + block
                    + ", or /" + bytes.length * 8 + " for the one address)");
        }
        return block;
    }

    /** Whether {@code address} lies in this block; an IPv4-mapped IPv6 address counts as IPv4. */
    public boolean contains(InetAddress address) {
        byte[] bytes = unmapped(address.getAddress());
        if (bytes.length != network.length) {
            return false;
        }
        return Arrays.equals(mask(bytes, prefixLength), network);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Cidr c && c.prefixLength == prefixLength && Arrays.equals(c.network, network);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(network) + prefixLength;
    }

    /** The form {@link #parse} accepts. */
    @Override
    public String toString() {
        try {
            return InetAddress.getByAddress(network).getHostAddress() + '/' + prefixLength;
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // cannot happen: the length was checked
        }
    }

    private static byte[] literal(String address, String text) {
        boolean ipv4 = !address.isEmpty() && address.chars().allMatch(c -> c == '.' || Character.isDigit(c))
                && address.chars().filter(c -> c == '.').count() == 3;
        boolean ipv6 = address.indexOf(':') >= 0 && address.chars().allMatch(c -> c == ':' || c == '.'
                || Character.digit(c, 16) >= 0);
        if (ipv4 || ipv6) {
            try {
                // A literal never goes to DNS: getByName only parses it.
                InetAddress parsed = InetAddress.getByName(address);
                if (ipv6 || parsed instanceof Inet4Address) {
                    return parsed.getAddress();
                }
            } catch (UnknownHostException e) {
                // reported below
            }
        }
        throw new IllegalArgumentException(Quotes.quote(text) + " is not an IP address block (expected: "
                + EXPECTED + ")");
    }

    private static byte[] unmapped(byte[] bytes) {
        if (bytes.length != 16) {
            return bytes;
        }
        for (int i = 0; i < 10; i++) {
            if (bytes[i] != 0) {
                return bytes;
            }
        }
        if (bytes[10] != (byte) 0xff || bytes[11] != (byte) 0xff) {
            return bytes;
        }
        return Arrays.copyOfRange(bytes, 12, 16);
    }

    private static byte[] mask(byte[] bytes, int prefixLength) {
        for (int bit = prefixLength; bit < bytes.length * 8; bit++) {
            bytes[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
        }
        return bytes;
    }
}
