package io.offhook.it;

import java.io.IOException;
import org.junit.jupiter.api.BeforeAll;

/** {@link PresenceITBase} on Prosody 0.12 with mod_privilege (XEP-0356 namespace 2), configured from etc/. */
class ProsodyPresenceIT extends PresenceITBase {
    @BeforeAll
    static void start() throws IOException {
        startAll(Prosody.start(work.resolve("prosody"), DOMAIN, COMPONENT, SECRET));
    }
}
