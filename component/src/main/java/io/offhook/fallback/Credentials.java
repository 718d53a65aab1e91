package io.offhook.fallback;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.xmpp.packet.JID;

/**
 * The accounts of the credentials file, by bare JID: who Offhook may log in as. Immutable; read once at start
 * (a changed file takes effect at the next start, not with the mapping file's reload). {@link #toString()} names
 * the file and counts the accounts, nothing more.
 */
public final class Credentials {
    private static final Credentials NONE = new Credentials(Optional.empty(), Map.of());

    private final Optional<Path> file;
    private final Map<JID, Account> accounts;

    /**
     * @param file where they were read from, for messages; empty when there is no credentials file
     * @param accounts by bare JID
     */
    public Credentials(Optional<Path> file, Map<JID, Account> accounts) {
        this.file = Objects.requireNonNull(file, "file");
        this.accounts = Map.copyOf(accounts);
        for (Map.Entry<JID, Account> e : this.accounts.entrySet()) {
            if (!e.getKey().equals(e.getValue().jid())) {
                throw new IllegalArgumentException("account " + e.getValue() + " filed under " + e.getKey());
            }
        }
    }

    /** No credentials file: login mode is unavailable. */
    public static Credentials none() {
        return NONE;
    }

    /** The account of a user (any resource of {@code user} is ignored). */
    public Optional<Account> find(JID user) {
        return Optional.ofNullable(accounts.get(user.getResource() == null ? user : user.asBareJID()));
    }

    /** How many accounts there are. */
    public int size() {
        return accounts.size();
    }

    /** The file they came from; empty when {@code fallback.credentials-file} is not set. */
    public Optional<Path> file() {
        return file;
    }

    @Override
    public String toString() {
        return "Credentials[" + accounts.size() + " accounts" + file.map(f -> " from " + f).orElse("") + "]";
    }
}
