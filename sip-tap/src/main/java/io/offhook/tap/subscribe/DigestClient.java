package io.offhook.tap.subscribe;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;

/**
 * Digest authentication, client side (RFC 3261 section 22.2 with RFC 2617): the Authorization value that answers a
 * WWW-Authenticate or Proxy-Authenticate challenge with MD5, with {@code qop=auth} when offered and without qop
 * otherwise. Stateless; the password is used only inside the hash.
 */
final class DigestClient {
    private DigestClient() {
    }

    /**
     * The answer to {@code challenge} (the header's value, {@code Digest realm=..., nonce=...}), or {@code null}
     * when it is not a digest challenge Offhook can answer (another scheme or algorithm, qop without auth, no
     * nonce or realm).
     */
    static String authorization(String challenge, String method, String uri, DigestCredentials credentials,
                                String cnonce) {
        String c = challenge.strip();
        if (c.length() < 7 || !c.substring(0, 7).equalsIgnoreCase("digest ")) {
            return null;
        }
        Map<String, String> p = params(c.substring(7));
        String realm = p.get("realm");
        String nonce = p.get("nonce");
        String algorithm = p.getOrDefault("algorithm", "MD5");
        if (realm == null || nonce == null || !algorithm.equalsIgnoreCase("MD5")) {
            return null;
        }
        String qopOffered = p.get("qop");
        boolean auth = false;
        if (qopOffered != null) {
            for (String q : qopOffered.split(",")) {
                auth |= q.strip().equalsIgnoreCase("auth");
            }
            if (!auth) {
                return null;
            }
        }
        String ha1 = md5(credentials.user() + ":" + realm + ":" + credentials.password());
        String ha2 = md5(method + ":" + uri);
        String nc = "00000001";
        String response = auth ? md5(ha1 + ":" + nonce + ":" + nc + ":" + cnonce + ":auth:" + ha2)
                : md5(ha1 + ":" + nonce + ":" + ha2);
        StringBuilder b = new StringBuilder("Digest username=\"").append(credentials.user())
                .append("\", realm=\"").append(realm).append("\", nonce=\"").append(nonce)
                .append("\", uri=\"").append(uri).append("\", response=\"").append(response)
                .append("\", algorithm=MD5");
        if (auth) {
            b.append(", qop=auth, nc=").append(nc).append(", cnonce=\"").append(cnonce).append('"');
        }
        if (p.containsKey("opaque")) {
            b.append(", opaque=\"").append(p.get("opaque")).append('"');
        }
        return b.toString();
    }

    /** {@code name=value} pairs separated by commas, values quoted or not; names lower-cased. */
    static Map<String, String> params(String text) {
        Map<String, String> out = new HashMap<>();
        int i = 0;
        int n = text.length();
        while (i < n) {
            while (i < n && (text.charAt(i) == ',' || text.charAt(i) == ' ' || text.charAt(i) == '\t')) {
                i++;
            }
            int eq = text.indexOf('=', i);
            if (eq < 0) {
                break;
            }
            String name = text.substring(i, eq).strip().toLowerCase(Locale.ROOT);
            i = eq + 1;
            while (i < n && text.charAt(i) == ' ') {
                i++;
            }
            StringBuilder value = new StringBuilder();
            if (i < n && text.charAt(i) == '"') {
                i++;
                while (i < n && text.charAt(i) != '"') {
                    if (text.charAt(i) == '\\' && i + 1 < n) {
                        i++;
                    }
                    value.append(text.charAt(i++));
                }
                i++;
            } else {
                while (i < n && text.charAt(i) != ',') {
                    value.append(text.charAt(i++));
                }
            }
            out.put(name, value.toString().strip());
        }
        return out;
    }

    private static String md5(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5")
                    .digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has MD5", e);
        }
    }
}
