package io.offhook.tap.publish;

import io.offhook.tap.track.Aor;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Digest authentication of publishers, server side (RFC 3261 section 22.4 with RFC 2617's MD5 and
 * {@code qop=auth}; a client that answers without qop, in RFC 2069 style, is accepted too).
 *
 * <p>Nonces are stateless: the time they were made and an HMAC-SHA256 of it under a key drawn at start, so any
 * nonce this process made is recognised without a table, and one older than {@value #NONCE_LIFETIME_SECONDS} s is
 * answered with a new challenge marked {@code stale=true} (the client retries without asking its user). Nonce counts
 * are not tracked: within a nonce's lifetime a captured request could be replayed as it was, which on a PUBLISH
 * only republishes the same state; it cannot be changed or aimed at another resource (the digest covers the
 * method and the Request-URI, which must be the request's own). Passwords are only ever used as H(A1); a failure
 * never says whether the user or the password was wrong.
 */
public final class DigestAuth {
    /** How long a nonce is good for. */
    public static final long NONCE_LIFETIME_SECONDS = 300;

    private final PublisherCredentials credentials;
    private final String realm;
    private final Clock clock;
    private final SecretKeySpec key;

    /** What {@link #check} found. */
    public sealed interface Outcome {
        /** The request is authenticated as {@code user}. */
        record Authenticated(String user) implements Outcome {
        }

        /** No (usable) credentials for this realm: challenge. */
        record Missing() implements Outcome {
        }

        /** A good answer to a nonce that is too old: challenge again with {@code stale=true}. */
        record Stale() implements Outcome {
        }

        /** Wrong: refuse. The reason is for the log (it never names a password). */
        record Refused(String reason) implements Outcome {
        }
    }

    public DigestAuth(PublisherCredentials credentials, String realm, Clock clock) {
        this.credentials = Objects.requireNonNull(credentials, "credentials");
        this.realm = Objects.requireNonNull(realm, "realm");
        this.clock = Objects.requireNonNull(clock, "clock");
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        this.key = new SecretKeySpec(secret, "HmacSHA256");
    }

    /** The value of a WWW-Authenticate header that challenges the publisher. */
    public String challenge(boolean stale) {
        return "Digest realm=\"" + realm + "\", nonce=\"" + nonce(clock.instant().getEpochSecond())
                + "\", algorithm=MD5, qop=\"auth\"" + (stale ? ", stale=true" : "");
    }

    /**
     * Checks an Authorization header.
     *
     * @param method the request's method
     * @param requestUri the request's Request-URI as received
     * @param authorization the Authorization header's value (after the colon), or {@code null}
     */
    public Outcome check(String method, String requestUri, String authorization) {
        if (authorization == null) {
            return new Outcome.Missing();
        }
        Map<String, String> p = parse(authorization);
        if (p == null || !realm.equals(p.get("realm"))) {
            return new Outcome.Missing();
        }
        String user = p.get("username");
        String nonce = p.get("nonce");
        String uri = p.get("uri");
        String response = p.get("response");
        if (user == null || nonce == null || uri == null || response == null) {
            return new Outcome.Refused("Authorization without username, nonce, uri or response");
        }
        String algorithm = p.getOrDefault("algorithm", "MD5");
        if (!algorithm.equalsIgnoreCase("MD5")) {
            return new Outcome.Refused("digest algorithm " + algorithm + " is not MD5");
        }
        long made = nonceTime(nonce);
        if (made < 0) {
            return new Outcome.Refused("a nonce this server did not make");
        }
        if (!sameResource(uri, requestUri)) {
            return new Outcome.Refused("digest uri " + uri + " is not the Request-URI " + requestUri);
        }
        String ha1 = credentials.ha1(user, realm);
        String qop = p.get("qop");
        String nc = p.get("nc");
        String cnonce = p.get("cnonce");
        if (qop != null && !qop.equalsIgnoreCase("auth")) {
            return new Outcome.Refused("qop " + qop + " is not auth");
        }
        if (qop != null && (nc == null || cnonce == null)) {
            return new Outcome.Refused("qop=auth without nc or cnonce");
        }
        String expected = ha1 == null ? null : response(ha1, nonce, qop == null ? null : nc, cnonce, method, uri);
        byte[] given = response.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII);
        // Compared even for an unknown user (against a digest of nothing), so the time taken says nothing.
        byte[] wanted = (expected == null ? PublisherCredentials.md5Hex("") : expected)
                .getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(given, wanted) || expected == null) {
            return new Outcome.Refused("wrong user name or password for user " + user);
        }
        if (clock.instant().getEpochSecond() - made > NONCE_LIFETIME_SECONDS) {
            return new Outcome.Stale();
        }
        return new Outcome.Authenticated(user);
    }

    /**
     * RFC 2617 section 3.2.2.1's request-digest for MD5: with {@code nc} (and so qop=auth)
     * {@code KD(H(A1), nonce:nc:cnonce:auth:H(A2))}, without it RFC 2069's {@code KD(H(A1), nonce:H(A2))}, where
     * {@code A2 = method:uri}.
     */
    static String response(String ha1, String nonce, String nc, String cnonce, String method, String uri) {
        String ha2 = PublisherCredentials.md5Hex(method + ":" + uri);
        return nc == null ? PublisherCredentials.md5Hex(ha1 + ":" + nonce + ":" + ha2)
                : PublisherCredentials.md5Hex(ha1 + ":" + nonce + ":" + nc + ":" + cnonce + ":auth:" + ha2);
    }

    /** A nonce: the time in hex, a dot, and the time's HMAC. */
    String nonce(long epochSecond) {
        String time = Long.toHexString(epochSecond);
        return time + "." + mac(time);
    }

    /** When a nonce of ours was made, or -1 when it is not one of ours (or from the future). */
    private long nonceTime(String nonce) {
        int dot = nonce.indexOf('.');
        if (dot <= 0 || dot > 16) {
            return -1;
        }
        String time = nonce.substring(0, dot);
        if (!MessageDigest.isEqual(mac(time).getBytes(StandardCharsets.US_ASCII),
                nonce.substring(dot + 1).getBytes(StandardCharsets.US_ASCII))) {
            return -1;
        }
        long t;
        try {
            t = Long.parseLong(time, 16);
        } catch (NumberFormatException e) {
            return -1;
        }
        return t > clock.instant().getEpochSecond() + 5 ? -1 : t;
    }

    private String mac(String text) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            byte[] digest = mac.doFinal(text.getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every Java platform has HmacSHA256", e);
        }
    }

    private static boolean sameResource(String digestUri, String requestUri) {
        if (digestUri.equalsIgnoreCase(requestUri)) {
            return true;
        }
        String a = Aor.deviceKey(digestUri);
        return a != null && a.equals(Aor.deviceKey(requestUri));
    }

    /**
     * The parameters of a {@code Digest} credentials value (RFC 2617 section 3.2.2), names in lower case; quoted
     * values unquoted. {@code null} when it is not Digest.
     */
    static Map<String, String> parse(String value) {
        String v = value.strip();
        if (v.length() < 7 || !v.regionMatches(true, 0, "Digest", 0, 6) || !Character.isWhitespace(v.charAt(6))) {
            return null;
        }
        Map<String, String> out = new HashMap<>();
        int i = 7;
        int n = v.length();
        while (i < n) {
            while (i < n && (v.charAt(i) == ',' || Character.isWhitespace(v.charAt(i)))) {
                i++;
            }
            int nameStart = i;
            while (i < n && v.charAt(i) != '=' && v.charAt(i) != ',' && !Character.isWhitespace(v.charAt(i))) {
                i++;
            }
            String name = v.substring(nameStart, i).toLowerCase(Locale.ROOT);
            while (i < n && Character.isWhitespace(v.charAt(i))) {
                i++;
            }
            if (i >= n || v.charAt(i) != '=') {
                if (name.isEmpty()) {
                    break;
                }
                return null;
            }
            i++;
            while (i < n && Character.isWhitespace(v.charAt(i))) {
                i++;
            }
            StringBuilder value2 = new StringBuilder();
            if (i < n && v.charAt(i) == '"') {
                i++;
                while (i < n && v.charAt(i) != '"') {
                    char c = v.charAt(i);
                    if (c == '\\' && i + 1 < n) {
                        i++;
                        c = v.charAt(i);
                    }
                    value2.append(c);
                    i++;
                }
                if (i >= n) {
                    return null;
                }
                i++;
            } else {
                while (i < n && v.charAt(i) != ',' && !Character.isWhitespace(v.charAt(i))) {
                    value2.append(v.charAt(i));
                    i++;
                }
            }
            if (!name.isEmpty()) {
                out.putIfAbsent(name, value2.toString());
            }
        }
        return out;
    }
}
