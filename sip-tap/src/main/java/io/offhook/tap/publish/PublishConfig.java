package io.offhook.tap.publish;

import io.offhook.tap.hep.AddressAllowList;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Settings of the SIP PUBLISH receiver, validated when built: an error names the setting and the bad value.
 *
 * <p>The defaults listen on loopback port 5070 (beside a proxy's 5060), UDP and TCP, accept publications from
 * loopback only, without digest authentication; lifetimes between 10 s and an hour (Kamailio's
 * {@code pua_dialoginfo} publishes an ended dialog for 10 s, sent as {@code Expires: 11}, and does not retry after
 * a 423), at most 100,000 publications, bodies up to 64 KiB and 1,000 requests a second per publisher address (a
 * proxy's pua_dialoginfo sends about six per call: early, confirmed and terminated for each party). Whoever
 * may publish can make anyone look "on the phone", so an empty allow-list is accepted only with credentials.
 *
 * @param bindAddress IP literal to listen on (never resolved through DNS)
 * @param port UDP and TCP port
 * @param udp listen on UDP
 * @param tcp listen on TCP
 * @param allowList publisher addresses and CIDR blocks (see {@link AddressAllowList}); empty allows every address
 *     and needs {@code credentials}
 * @param credentials the publishers' digest credentials; empty: no authentication
 * @param realm the digest realm
 * @param minExpires shorter requested lifetimes are refused with 423 (RFC 3903 section 6, step 4)
 * @param maxExpires longer requested lifetimes are cut to this
 * @param maxPublications publications kept at once; a new one beyond it is refused with 503
 * @param maxBodyBytes larger bodies are refused with 413
 * @param ratePerSecond requests a second one publisher address may send (a token bucket of this size); beyond it
 *     503 with Retry-After
 * @param busyIsOnThePhone whether the RPID activity {@code busy} means on the phone (see {@link PidfDocument})
 */
public record PublishConfig(String bindAddress, int port, boolean udp, boolean tcp, List<String> allowList,
                            PublisherCredentials credentials, String realm, Duration minExpires, Duration maxExpires,
                            int maxPublications, int maxBodyBytes, int ratePerSecond, boolean busyIsOnThePhone) {

    public static final int DEFAULT_PORT = 5070;
    /** Bodies cannot usefully be larger: a SIP message over UDP ends at 64 KiB. */
    public static final int MAX_BODY_LIMIT = 1 << 20;
    /** Smaller than this and not even one dialog fits. */
    public static final int MIN_BODY_LIMIT = 256;

    public PublishConfig {
        Objects.requireNonNull(bindAddress, "bindAddress");
        AddressAllowList.of(List.of(bindAddress));
        if (bindAddress.contains("/")) {
            throw new IllegalArgumentException("bindAddress must be an address, not a block: " + bindAddress);
        }
        if (port < 1 || port > 0xFFFF) {
            throw new IllegalArgumentException("port must be 1..65535: " + port);
        }
        if (!udp && !tcp) {
            throw new IllegalArgumentException("enable at least one of udp and tcp");
        }
        allowList = List.copyOf(allowList);
        AddressAllowList.of(allowList);
        Objects.requireNonNull(credentials, "credentials");
        if (allowList.isEmpty() && credentials.isEmpty()) {
            throw new IllegalArgumentException("an empty allow-list without credentials would let anyone publish");
        }
        Objects.requireNonNull(realm, "realm");
        if (realm.isBlank() || !realm.chars().allMatch(c -> c >= ' ' && c < 127 && c != '"' && c != '\\')) {
            throw new IllegalArgumentException("realm must be printable ASCII without quotes: '" + realm + "'");
        }
        Objects.requireNonNull(minExpires, "minExpires");
        Objects.requireNonNull(maxExpires, "maxExpires");
        if (minExpires.toSeconds() < 1) {
            throw new IllegalArgumentException("minExpires must be at least 1 s: " + minExpires);
        }
        if (maxExpires.compareTo(minExpires) < 0) {
            throw new IllegalArgumentException("maxExpires " + maxExpires.toSeconds() + " s is below minExpires "
                    + minExpires.toSeconds() + " s");
        }
        if (maxPublications < 1) {
            throw new IllegalArgumentException("maxPublications must be at least 1: " + maxPublications);
        }
        if (maxBodyBytes < MIN_BODY_LIMIT || maxBodyBytes > MAX_BODY_LIMIT) {
            throw new IllegalArgumentException("maxBodyBytes must be " + MIN_BODY_LIMIT + ".." + MAX_BODY_LIMIT
                    + ": " + maxBodyBytes);
        }
        if (ratePerSecond < 1) {
            throw new IllegalArgumentException("ratePerSecond must be at least 1: " + ratePerSecond);
        }
    }

    /** The documented defaults (see the class comment). */
    public static PublishConfig defaults() {
        return new PublishConfig("127.0.0.1", DEFAULT_PORT, true, true, List.of("127.0.0.1", "::1"),
                PublisherCredentials.none(), "offhook", Duration.ofSeconds(10), Duration.ofHours(1), 100_000,
                65_536, 1000, true);
    }

    public PublishConfig withListen(String address, int newPort) {
        return new PublishConfig(address, newPort, udp, tcp, allowList, credentials, realm, minExpires, maxExpires,
                maxPublications, maxBodyBytes, ratePerSecond, busyIsOnThePhone);
    }

    public PublishConfig withTransports(boolean newUdp, boolean newTcp) {
        return new PublishConfig(bindAddress, port, newUdp, newTcp, allowList, credentials, realm, minExpires,
                maxExpires, maxPublications, maxBodyBytes, ratePerSecond, busyIsOnThePhone);
    }

    public PublishConfig withAccess(List<String> newAllowList, PublisherCredentials newCredentials, String newRealm) {
        return new PublishConfig(bindAddress, port, udp, tcp, newAllowList, newCredentials, newRealm, minExpires,
                maxExpires, maxPublications, maxBodyBytes, ratePerSecond, busyIsOnThePhone);
    }

    public PublishConfig withExpires(Duration min, Duration max) {
        return new PublishConfig(bindAddress, port, udp, tcp, allowList, credentials, realm, min, max,
                maxPublications, maxBodyBytes, ratePerSecond, busyIsOnThePhone);
    }

    public PublishConfig withLimits(int newMaxPublications, int newMaxBodyBytes, int newRatePerSecond) {
        return new PublishConfig(bindAddress, port, udp, tcp, allowList, credentials, realm, minExpires, maxExpires,
                newMaxPublications, newMaxBodyBytes, newRatePerSecond, busyIsOnThePhone);
    }

    public PublishConfig withBusyIsOnThePhone(boolean value) {
        return new PublishConfig(bindAddress, port, udp, tcp, allowList, credentials, realm, minExpires, maxExpires,
                maxPublications, maxBodyBytes, ratePerSecond, value);
    }
}
