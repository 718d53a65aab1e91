package io.offhook.tap.hep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Allow-list matching, tested on addresses only (no traffic is sent to any of them). */
class AddressAllowListTest {
    private static InetAddress ip(String literal) throws Exception {
        return InetAddress.getByAddress(AddressAllowList.parseLiteral(literal, literal));
    }

    @Test
    void emptyAllowsEveryone() throws Exception {
        AddressAllowList all = AddressAllowList.of(List.of());
        assertTrue(all.allowsAll());
        assertTrue(all.allows(ip("192.0.2.1")));
        assertTrue(all.allows(ip("2001:db8::1")));
    }

    @Test
    void singleAddressesAndIpv4Blocks() throws Exception {
        AddressAllowList list = AddressAllowList.of(List.of("127.0.0.1", "192.0.2.0/24", "10.8.0.0/13"));
        assertFalse(list.allowsAll());
        assertTrue(list.allows(ip("127.0.0.1")));
        assertFalse(list.allows(ip("127.0.0.2")));
        assertTrue(list.allows(ip("192.0.2.1")));
        assertTrue(list.allows(ip("192.0.2.255")));
        assertFalse(list.allows(ip("192.0.3.1")));
        assertTrue(list.allows(ip("10.8.0.0")));
        assertTrue(list.allows(ip("10.15.255.255")));
        assertFalse(list.allows(ip("10.16.0.0")));
        assertFalse(list.allows(ip("10.7.255.255")));
        assertFalse(list.allows(ip("::1")));
    }

    @Test
    void nonLoopbackSenderIsRejectedByALoopbackOnlyList() throws Exception {
        AddressAllowList loopback = AddressAllowList.of(List.of("127.0.0.0/8", "::1"));
        assertFalse(loopback.allows(ip("192.0.2.1")));
        assertFalse(loopback.allows(ip("2001:db8::1")));
        assertTrue(loopback.allows(ip("::1")));
        assertTrue(loopback.allows(ip("127.1.2.3")));
    }

    @Test
    void ipv6Blocks() throws Exception {
        AddressAllowList list = AddressAllowList.of(List.of("2001:db8::/32", "fd00:1:2:3::/64 "));
        assertTrue(list.allows(ip("2001:db8::1")));
        assertTrue(list.allows(ip("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff")));
        assertFalse(list.allows(ip("2001:db9::1")));
        assertTrue(list.allows(ip("fd00:1:2:3:4:5:6:7")));
        assertFalse(list.allows(ip("fd00:1:2:4::1")));
        assertFalse(list.allows(ip("192.0.2.1")), "an IPv4 sender never matches an IPv6 block");
    }

    @Test
    void zeroPrefixMatchesTheWholeFamily() throws Exception {
        AddressAllowList list = AddressAllowList.of(List.of("0.0.0.0/0"));
        assertTrue(list.allows(ip("192.0.2.1")));
        assertFalse(list.allows(ip("2001:db8::1")));
    }

    @Test
    void ipv4MappedSenderMatchesAsIpv4() throws Exception {
        AddressAllowList list = AddressAllowList.of(List.of("192.0.2.0/24"));
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xFF;
        mapped[11] = (byte) 0xFF;
        mapped[12] = (byte) 192;
        mapped[14] = 2;
        mapped[15] = 1;
        assertTrue(list.allows(java.net.Inet6Address.getByAddress(null, mapped, null)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "10.0.0.300", "10.0.0", "10.0.0.0.1", "1.2.3.4/33", "::1/129", "10.0.0.0/",
        "10.0.0.0/-1", "10.0.0.0/1x", "/8", "host.example.com", "localhost", "2001:db8::zz", "1:2:3",
        "fe80::1%eth0", " 10.0.0.1/8/8", "01234.1.1.1"})
    void rejectsWhatIsNotAnAddressOrBlockNamingIt(String entry) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AddressAllowList.of(List.of(entry)));
        assertTrue(e.getMessage().contains("'" + entry + "'"), e.getMessage());
    }

    @Test
    void describesItself() {
        assertEquals("AddressAllowList[127.0.0.0/8, 0:0:0:0:0:0:0:1/128]",
                AddressAllowList.of(List.of("127.0.0.0/8", "::1")).toString());
    }
}
