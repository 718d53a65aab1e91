package io.offhook.tap.track;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Finding a device's owner by host:port, alone or shared, and comparing device keys without decoding them. */
class DeviceIndexTest {
    final DeviceIndex index = new DeviceIndex();
    final User alice = new User("sip:alice@example.com");
    final User bob = new User("sip:bob@example.com");

    Binding bind(User u, String contact) {
        String key = Aor.deviceKey(contact);
        Binding b = new Binding(u, key, Long.MAX_VALUE);
        index.add(b, key);
        return b;
    }

    @Test
    void aDeviceAloneAtItsHostPortIsFoundWithOrWithoutUserPart() {
        bind(alice, "sip:alice@10.0.0.1:5062");
        assertSame(alice, index.owner("sip:alice@10.0.0.1:5062;transport=udp"));
        assertSame(alice, index.owner("sip:10.0.0.1:5062"));
        assertSame(alice, index.owner("sip:whoever@10.0.0.1:5062"), "one device: the host:port decides");
        assertNull(index.owner("sip:alice@10.0.0.1:5063"));
    }

    @Test
    void aSharedHostPortNeedsTheUserPartUnlessOneUserOwnsAllOfIt() {
        Binding a1 = bind(alice, "sip:alice@10.0.0.1");
        Binding a2 = bind(alice, "sip:alice2@10.0.0.1");
        assertSame(alice, index.owner("sip:10.0.0.1"), "all bindings there are Alice's");
        Binding b1 = bind(bob, "sip:bob@10.0.0.1:5060");
        assertSame(bob, index.owner("sip:bob@10.0.0.1"));
        assertSame(alice, index.owner("sip:alice2@10.0.0.1"));
        assertNull(index.owner("sip:10.0.0.1"), "Alice's or Bob's: ambiguous");
        assertNull(index.owner("sip:carol@10.0.0.1"));
        index.remove(b1, b1.deviceKey());
        assertSame(alice, index.owner("sip:10.0.0.1"));
        index.remove(a1, a1.deviceKey());
        assertSame(alice, index.owner("sip:whoever@10.0.0.1"), "back to a single device");
        index.remove(a2, a2.deviceKey());
        assertNull(index.owner("sip:10.0.0.1"));
    }

    @Test
    void aKeyRegisteredByTwoUsersBelongsToTheLatest() {
        bind(alice, "sip:desk@10.0.0.1");
        bind(alice, "sip:phone@10.0.0.1");
        Binding taken = bind(bob, "sip:desk@10.0.0.1");
        assertSame(bob, index.owner("sip:desk@10.0.0.1"));
        assertNull(index.owner("sip:10.0.0.1"));
        index.remove(taken, taken.deviceKey());
        assertSame(alice, index.owner("sip:10.0.0.1"), "Bob's binding gone, only Alice's phone remains");
    }

    @Test
    void bindingsCompareKeysAndHostPortsAsText() {
        Binding ascii = new Binding(alice, "alice@10.0.0.1:5060", 0);
        assertTrue(ascii.hasKey("alice@10.0.0.1:5060"));
        assertFalse(ascii.hasKey("alice@10.0.0.1:506"));
        assertFalse(ascii.hasKey("alicE@10.0.0.1:5060"));
        assertTrue(ascii.hasHostPort("bob@10.0.0.1:5060", 4));
        assertFalse(ascii.hasHostPort("bob@10.0.0.2:5060", 4));
        Binding accents = new Binding(alice, "jérôme@bücher.example:5060", 0);
        assertEquals("jérôme@bücher.example:5060", accents.deviceKey());
        assertTrue(accents.hasKey("jérôme@bücher.example:5060"));
        assertFalse(accents.hasKey("jerome@bücher.example:5060"));
        assertTrue(accents.hasHostPort("x@bücher.example:5060", 2));
        assertFalse(accents.hasHostPort("x@bucher.example:5060", 2));
        Binding noUser = new Binding(alice, "10.0.0.1:5060", 0);
        assertTrue(noUser.hasHostPort("alice@10.0.0.1:5060", 6));
    }
}
