package io.offhook.tap.hep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class HepConfigTest {
    @Test
    void defaultsListenOnLoopbackPort9060() {
        HepConfig c = HepConfig.defaults();
        assertEquals("127.0.0.1", c.bindAddress());
        assertEquals(9060, c.port());
        assertTrue(c.udpEnabled());
        assertTrue(c.tcpEnabled());
        assertEquals(List.of(), c.allowList());
        assertNull(c.authKey());
        assertEquals(65535, c.maxFrameSize());
        assertEquals(64, c.maxTcpConnections());
    }

    @Test
    void neverPrintsTheAuthKey() {
        HepConfig c = HepConfig.defaults().withAuthKey("hunter2-secret");
        assertFalse(c.toString().contains("hunter2"), c.toString());
        assertTrue(c.toString().contains("authKey=(set)"), c.toString());
        assertTrue(HepConfig.defaults().toString().contains("authKey=none"));
    }

    @Test
    void copiesTheAllowList() {
        List<String> entries = new ArrayList<>(List.of("127.0.0.1"));
        HepConfig c = HepConfig.defaults().withAllowList(entries);
        entries.add("192.0.2.1");
        assertEquals(List.of("127.0.0.1"), c.allowList());
    }

    @Test
    void validatesNamingTheSetting() {
        HepConfig d = HepConfig.defaults();
        assertTrue(assertThrows(IllegalArgumentException.class, () -> d.withBindAddress("proxy.example.com"))
                .getMessage().contains("bindAddress proxy.example.com"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> d.withPort(65536))
                .getMessage().contains("port"));
        assertThrows(IllegalArgumentException.class, () -> d.withPort(-1));
        assertThrows(IllegalArgumentException.class, () -> d.withUdp(false).withTcp(false));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> d.withAllowList(List.of("10.0.0.0/40")))
                .getMessage().contains("10.0.0.0/40"));
        assertThrows(IllegalArgumentException.class, () -> d.withAuthKey(""));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> d.withMaxFrameSize(65536))
                .getMessage().contains("maxFrameSize"));
        assertThrows(IllegalArgumentException.class, () -> d.withMaxFrameSize(100));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> d.withMaxTcpConnections(0))
                .getMessage().contains("maxTcpConnections"));
    }

    @Test
    void acceptsIpv6AndWildcardBindAddresses() {
        assertEquals("::1", HepConfig.defaults().withBindAddress("::1").bindAddress());
        assertEquals("0.0.0.0", HepConfig.defaults().withBindAddress("0.0.0.0").bindAddress());
        assertEquals("::", HepConfig.defaults().withBindAddress("::").bindAddress());
    }
}
