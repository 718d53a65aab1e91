package io.offhook.tap.hep;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Which senders may feed HEP to the tap: single addresses and CIDR blocks, IPv4 and IPv6 ({@code 192.0.2.7},
 * {@code 10.0.0.0/8}, {@code ::1}, {@code 2001:db8::/32}). An empty list allows everyone.
 *
 * <p>HEP has no authentication worth the name (an optional plain-text key), and whoever can send HEP can make any
 * user look "on the phone", so deployments that listen beyond loopback should name their proxies here. Entries are
 * IP literals only: they are never resolved through DNS. An IPv4-mapped IPv6 sender ({@code ::ffff:192.0.2.7}) is
 * matched as the IPv4 address it carries. Immutable and thread-safe.
 */
public final class AddressAllowList {
    private static final AddressAllowList ALLOW_ALL = new AddressAllowList(List.of());

    private final List<Block> blocks;

    private record Block(byte[] network, int prefixLength) {
        boolean contains(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            int fullBytes = prefixLength / 8;
            if (!Arrays.equals(address, 0, fullBytes, network, 0, fullBytes)) {
                return false;
            }
            int restBits = prefixLength % 8;
            if (restBits == 0) {
                return true;
            }
            int mask = 0xFF << (8 - restBits) & 0xFF;
            return (address[fullBytes] & mask) == (network[fullBytes] & mask);
        }
    }

    private AddressAllowList(List<Block> blocks) {
        this.blocks = blocks;
    }

    /**
     * Parses the entries.
     *
     * @throws IllegalArgumentException naming the first entry that is not an IP literal or CIDR block
     */
    public static AddressAllowList of(List<String> entries) {
        Objects.requireNonNull(entries, "entries");
        if (entries.isEmpty()) {
            return ALLOW_ALL;
        }
        List<Block> blocks = new ArrayList<>(entries.size());
        for (String entry : entries) {
            blocks.add(parseBlock(entry));
        }
        return new AddressAllowList(List.copyOf(blocks));
    }

    /** No entries: every sender is allowed. */
    public boolean allowsAll() {
        return blocks.isEmpty();
    }

    public boolean allows(InetAddress sender) {
        if (blocks.isEmpty()) {
            return true;
        }
        byte[] address = unmapIpv4(sender.getAddress());
        for (Block b : blocks) {
            if (b.contains(address)) {
                return true;
            }
        }
        return false;
    }

    private static Block parseBlock(String entry) {
        if (entry == null) {
            throw new IllegalArgumentException("allow-list entry is null");
        }
        String text = entry.strip();
        int slash = text.indexOf('/');
        String addressText = slash < 0 ? text : text.substring(0, slash);
        byte[] address = unmapIpv4(parseLiteral(addressText, entry));
        int bits = address.length * 8;
        int prefix = bits;
        if (slash >= 0) {
            String prefixText = text.substring(slash + 1);
            if (prefixText.isEmpty() || prefixText.length() > 3 || !prefixText.chars().allMatch(Character::isDigit)) {
                throw new IllegalArgumentException("allow-list entry '" + entry + "': bad prefix length");
            }
            prefix = Integer.parseInt(prefixText);
            if (prefix > bits) {
                throw new IllegalArgumentException("allow-list entry '" + entry + "': prefix length " + prefix
                        + " is more than the " + bits + " bits of the address");
            }
        }
        return new Block(address, prefix);
    }

    /**
     * Parses an IPv4 dotted quad or an IPv6 literal, without ever asking DNS.
     *
     * @param what names the setting in the error message
     * @throws IllegalArgumentException when the text is neither
     */
    static byte[] parseLiteral(String text, String what) {
        if (text.indexOf(':') < 0) {
            return parseIpv4(text, what);
        }
        // Only hex digits, ':' and '.' (an embedded IPv4 tail): the JDK then parses a literal and never resolves.
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.digit(c, 16) < 0 && c != ':' && c != '.') {
                throw new IllegalArgumentException("'" + what + "' is not an IP address");
            }
        }
        try {
            return InetAddress.getByName(text).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + what + "' is not an IP address", e);
        }
    }

    private static byte[] parseIpv4(String text, String what) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("'" + what + "' is not an IP address");
        }
        byte[] out = new byte[4];
        for (int i = 0; i < 4; i++) {
            String p = parts[i];
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw new IllegalArgumentException("'" + what + "' is not an IP address");
            }
            int v = Integer.parseInt(p);
            if (v > 255) {
                throw new IllegalArgumentException("'" + what + "' is not an IP address");
            }
            out[i] = (byte) v;
        }
        return out;
    }

    private static byte[] unmapIpv4(byte[] address) {
        if (address.length != 16) {
            return address;
        }
        for (int i = 0; i < 10; i++) {
            if (address[i] != 0) {
                return address;
            }
        }
        if (address[10] != (byte) 0xFF || address[11] != (byte) 0xFF) {
            return address;
        }
        return Arrays.copyOfRange(address, 12, 16);
    }

    /** Parses a bind address literal (no DNS). */
    static InetAddress literalAddress(String text, String what) {
        byte[] raw = parseLiteral(text, what);
        try {
            return InetAddress.getByAddress(raw);
        } catch (UnknownHostException e) {
            throw new AssertionError("4 or 16 bytes are always a valid address", e);
        }
    }

    @Override
    public String toString() {
        if (blocks.isEmpty()) {
            return "AddressAllowList[all]";
        }
        StringBuilder sb = new StringBuilder("AddressAllowList[");
        for (int i = 0; i < blocks.size(); i++) {
            Block b = blocks.get(i);
            sb.append(i == 0 ? "" : ", ").append(blockText(b.network(), b.prefixLength()));
        }
        return sb.append(']').toString();
    }

    private static String blockText(byte[] network, int prefix) {
        try {
            return InetAddress.getByAddress(network).getHostAddress() + "/" + prefix;
        } catch (UnknownHostException e) {
            throw new AssertionError("4 or 16 bytes are always a valid address", e);
        }
    }
}
