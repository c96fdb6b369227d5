package dev.mailsync.mail;

import dev.mailsync.sync.FailureCode;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * The SSRF guard: a tenant names the mail host, so without this check the service could be aimed at
 * loopback, the cluster network or a cloud metadata endpoint. Every mail connection resolves its host
 * here and connects only to an address this guard returned (see {@link GuardedSocketFactory}), so a
 * DNS answer that changes between the check and the connect cannot slip through.
 */
public final class OutboundGuard {

    /** IPv4 ranges nobody on the public internet can be: {address, prefix length}. */
    private static final Object[][] FORBIDDEN_V4 = {
        {"0.0.0.0", 8}, // "this network", includes the any-local address (RFC 1122 §3.2.1.3)
        {"10.0.0.0", 8}, // private (RFC 1918)
        {"100.64.0.0", 10}, // carrier-grade NAT (RFC 6598); also Alibaba's metadata 100.100.100.200
        {"127.0.0.0", 8}, // loopback
        {"169.254.0.0", 16}, // link-local, includes the 169.254.169.254 metadata endpoint (RFC 3927)
        {"172.16.0.0", 12}, // private (RFC 1918)
        {"192.0.0.0", 24}, // IETF protocol assignments (RFC 6890)
        {"192.0.2.0", 24}, // documentation TEST-NET-1 (RFC 5737)
        {"192.88.99.0", 24}, // 6to4 relay anycast (RFC 7526)
        {"192.168.0.0", 16}, // private (RFC 1918)
        {"198.18.0.0", 15}, // benchmarking (RFC 2544)
        {"198.51.100.0", 24}, // documentation TEST-NET-2
        {"203.0.113.0", 24}, // documentation TEST-NET-3
        {"224.0.0.0", 4}, // multicast
        {"240.0.0.0", 4}, // reserved, includes the limited broadcast 255.255.255.255
        {"168.63.129.16", 32}, // Azure's platform endpoint (wire server), reachable from every VM
    };

    /** IPv6 ranges that are never a public mail server. */
    private static final Object[][] FORBIDDEN_V6 = {
        {"::", 96}, // unspecified, loopback and the deprecated IPv4-compatible addresses (RFC 4291 §2.5.5.1)
        {"::ffff:0:0:0", 96}, // IPv4-translated (RFC 2765 §2.1), never a public mail server
        {"64:ff9b:1::", 48}, // local-use NAT64 (RFC 8215)
        {"100::", 64}, // discard-only (RFC 6666)
        {"2001::", 32}, // Teredo: the embedded client address cannot be checked reliably (RFC 4380)
        {"2001:db8::", 32}, // documentation (RFC 3849)
        {"fc00::", 7}, // unique local (RFC 4193), includes AWS's metadata fd00:ec2::254
        {"fe80::", 10}, // link-local
        {"fec0::", 10}, // site-local, deprecated (RFC 3879)
        {"ff00::", 8}, // multicast
    };

    private static final List<Range> RANGES = ranges();

    private final boolean allowPrivate;

    /** @param allowPrivate when true (an ops decision), internal addresses are allowed too */
    public OutboundGuard(boolean allowPrivate) {
        this.allowPrivate = allowPrivate;
    }

    public boolean allowPrivate() {
        return allowPrivate;
    }

    /**
     * Whether the service must not connect to this address: loopback, any-local, private, unique local,
     * link-local (cloud metadata), carrier-grade NAT, multicast, broadcast, documentation and benchmark
     * ranges, and the same behind an IPv4-mapped, NAT64 or 6to4 IPv6 address.
     */
    public static boolean isForbidden(InetAddress address) {
        byte[] bytes = address.getAddress();
        if (address.isAnyLocalAddress()
                || address.isLoopbackAddress()
                || address.isLinkLocalAddress()
                || address.isSiteLocalAddress()
                || address.isMulticastAddress()) {
            return true;
        }
        if (address instanceof Inet6Address) {
            byte[] embedded = embeddedIpv4(bytes);
            if (embedded != null) {
                return isForbidden(toInet(embedded));
            }
        }
        for (Range range : RANGES) {
            if (range.contains(bytes)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Resolves the host and returns its addresses, in the resolver's order.
     *
     * @throws MailAccessException {@link FailureCode#HOST_UNREACHABLE} if the name does not resolve,
     *     {@link FailureCode#HOST_NOT_ALLOWED} if any address it resolves to is forbidden (and internal
     *     addresses are not allowed): one bad answer is enough, because the connection may use any of them
     */
    public List<InetAddress> resolveAllowed(String host) throws MailAccessException {
        String name = host == null ? "" : host.strip();
        if (name.isEmpty()) {
            throw new MailAccessException(FailureCode.HOST_UNREACHABLE, "cannot resolve host: no host name given");
        }
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(name);
        } catch (UnknownHostException e) {
            throw new MailAccessException(FailureCode.HOST_UNREACHABLE, "cannot resolve host " + name, e);
        } catch (SecurityException | IllegalArgumentException e) {
            throw new MailAccessException(FailureCode.HOST_UNREACHABLE, "cannot resolve host " + name, e);
        }
        if (addresses.length == 0) {
            throw new MailAccessException(FailureCode.HOST_UNREACHABLE, "cannot resolve host " + name);
        }
        if (!allowPrivate) {
            for (InetAddress address : addresses) {
                if (isForbidden(address)) {
                    // The address itself is left out: telling a tenant what an internal name resolves to
                    // would leak the internal network's layout.
                    throw new MailAccessException(
                            FailureCode.HOST_NOT_ALLOWED,
                            "host " + name + " is not allowed: it resolves to a loopback, private, link-local or"
                                    + " otherwise reserved address");
                }
            }
        }
        return List.of(addresses);
    }

    @Override
    public String toString() {
        return "OutboundGuard[allowPrivate=" + allowPrivate + "]";
    }

    /**
     * The IPv4 address inside an IPv4-mapped (::ffff:0:0/96), NAT64 (64:ff9b::/96, RFC 6052) or 6to4
     * (2002::/16, RFC 3056) address, or null. Java usually turns a mapped address into an {@link
     * Inet4Address} already, but {@link Inet6Address#getByAddress(String, byte[], int)} does not.
     */
    private static byte[] embeddedIpv4(byte[] v6) {
        boolean zero80 = true;
        for (int i = 0; i < 10; i++) {
            zero80 &= v6[i] == 0;
        }
        if (zero80 && (v6[10] & 0xff) == 0xff && (v6[11] & 0xff) == 0xff) {
            return Arrays.copyOfRange(v6, 12, 16);
        }
        if ((v6[0] & 0xff) == 0x00 && (v6[1] & 0xff) == 0x64 && (v6[2] & 0xff) == 0xff && (v6[3] & 0xff) == 0x9b) {
            boolean zero = true;
            for (int i = 4; i < 12; i++) {
                zero &= v6[i] == 0;
            }
            if (zero) {
                return Arrays.copyOfRange(v6, 12, 16);
            }
        }
        if ((v6[0] & 0xff) == 0x20 && (v6[1] & 0xff) == 0x02) {
            return Arrays.copyOfRange(v6, 2, 6);
        }
        return null;
    }

    private static InetAddress toInet(byte[] v4) {
        try {
            return InetAddress.getByAddress(v4);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("4 bytes are always an IPv4 address", e);
        }
    }

    private static List<Range> ranges() {
        return Stream.concat(Arrays.stream(FORBIDDEN_V4), Arrays.stream(FORBIDDEN_V6))
                .map(r -> new Range(literal((String) r[0]).getAddress(), (Integer) r[1]))
                .toList();
    }

    private static InetAddress literal(String ip) {
        try {
            // Only literals here: getByName does no DNS lookup for them.
            return InetAddress.getByName(ip);
        } catch (UnknownHostException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** A CIDR block compared on the raw address bytes. */
    private record Range(byte[] network, int prefixLength) {
        boolean contains(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            int fullBytes = prefixLength / 8;
            for (int i = 0; i < fullBytes; i++) {
                if (address[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefixLength % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xff << (8 - rest)) & 0xff;
            return (address[fullBytes] & mask) == (network[fullBytes] & mask);
        }
    }
}
