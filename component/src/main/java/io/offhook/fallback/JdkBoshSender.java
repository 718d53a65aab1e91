package io.offhook.fallback;

import java.util.Optional;
import org.igniterealtime.jbosh.AbstractBody;
import org.igniterealtime.jbosh.BOSHClientConfig;
import org.igniterealtime.jbosh.CMSessionParams;
import org.igniterealtime.jbosh.HTTPResponse;
import org.igniterealtime.jbosh.HTTPSender;

/**
 * jbosh's HTTP sender for the login fallback's BOSH sessions: posts through the {@link BoshTransport} of the
 * session being connected, which checks the server's certificate and host name. Public only because jbosh's service
 * loader instantiates it by name (see {@link BoshTransport}); it is no API of Offhook's.
 */
public final class JdkBoshSender implements HTTPSender {
    private volatile Optional<BoshTransport.Link> link = Optional.empty();

    /** For jbosh's service loader. */
    public JdkBoshSender() {
        // bound in init
    }

    /** Takes the session being connected on this thread; without one, every request fails. */
    @Override
    public void init(BOSHClientConfig session) {
        link = BoshTransport.attach();
    }

    /** jbosh is done with the session. */
    @Override
    public void destroy() {
        link.ifPresent(BoshTransport.Link::destroyed);
    }

    /** Posts to the endpoint of the credentials file (not jbosh's copy of it, which Smack rebuilds). */
    @Override
    public HTTPResponse send(CMSessionParams params, AbstractBody body) {
        Optional<BoshTransport.Link> l = link;
        return l.isPresent() ? l.get().post(body)
                : BoshTransport.failed("no Offhook login session is connecting on this thread");
    }
}
