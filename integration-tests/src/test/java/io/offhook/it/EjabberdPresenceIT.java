package io.offhook.it;

import java.io.IOException;
import org.junit.jupiter.api.BeforeAll;

/**
 * {@link PresenceITBase} on ejabberd 23.01 with mod_privilege (XEP-0356 namespace 1), configured from etc/. ejabberd
 * sends no current presence at connect and echoes the component's own presence back: the engine must cope.
 */
class EjabberdPresenceIT extends PresenceITBase {
    @BeforeAll
    static void start() throws IOException {
        startAll(Ejabberd.start(work.resolve("ejabberd"), DOMAIN, COMPONENT, SECRET));
    }
}
