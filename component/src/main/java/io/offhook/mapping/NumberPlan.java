package io.offhook.mapping;

import java.util.Objects;
import java.util.Optional;

/**
 * How telephone numbers are written where the phones are, so that the numbers SIP users dial and register with
 * can be brought to one E.164 form ({@code +} country code and national number, at most 15 digits) before they are
 * compared. Every part is optional: without a country code national numbers cannot be made international and are
 * then compared as written (separators removed).
 *
 * @param countryCode the E.164 country code of the deployment, e.g. {@code 49}: 1 to 3 digits, not starting with 0
 * @param nationalPrefix the trunk prefix dialled before a national number, e.g. {@code 0}: 1 to 4 digits
 * @param internationalPrefix the prefix dialled before a country code, e.g. {@code 00}: 1 to 4 digits
 */
public record NumberPlan(Optional<String> countryCode, Optional<String> nationalPrefix,
        Optional<String> internationalPrefix) {
    /** No plan at all: only {@code +} numbers are international, everything else is compared as written. */
    public static final NumberPlan NONE = new NumberPlan(Optional.empty(), Optional.empty(), Optional.empty());

    /** E.164 (ITU-T, 11/2010) section 6.1: a number is at most 15 digits long, country code included. */
    static final int MAX_DIGITS = 15;

    /** The characters that only make a number readable: RFC 3966 visual separators and the space. */
    private static final String SEPARATORS = " -.()";

    /**
     * @throws IllegalArgumentException naming the part that is not a string of digits of the allowed length
     */
    public NumberPlan {
        Objects.requireNonNull(countryCode, "countryCode");
        Objects.requireNonNull(nationalPrefix, "nationalPrefix");
        Objects.requireNonNull(internationalPrefix, "internationalPrefix");
        countryCode.ifPresent(cc -> {
            check("country code", cc, 3);
            if (cc.charAt(0) == '0') {
                throw new IllegalArgumentException("country code '" + cc + "' starts with 0: no E.164 code does");
            }
        });
        nationalPrefix.ifPresent(p -> check("national prefix", p, 4));
        internationalPrefix.ifPresent(p -> check("international prefix", p, 4));
        if (nationalPrefix.isPresent() && nationalPrefix.equals(internationalPrefix)) {
            throw new IllegalArgumentException("national prefix and international prefix are both '"
                    + nationalPrefix.get() + "'");
        }
    }

    /**
     * A plan from settings, where an absent or blank value means "not set".
     *
     * @throws IllegalArgumentException as the canonical constructor
     */
    public static NumberPlan of(String countryCode, String nationalPrefix, String internationalPrefix) {
        return new NumberPlan(optional(countryCode), optional(nationalPrefix), optional(internationalPrefix));
    }

    /**
     * The number in the form entries are compared in: {@code +} and up to 15 digits when the number is
     * international or can be made so ({@code +49 (0)30 123}, {@code 0049 30 123} and, with country code 49 and
     * national prefix 0, {@code 030 123} and {@code +49 030 123} all give {@code +4930123}: the national prefix
     * after the deployment's own country code is dropped); otherwise the digits as written (a short or
     * internal number such as {@code 1001}), which match only an entry written the same way.
     *
     * @return empty when the text is not a telephone number: anything but an optional leading {@code +}, digits and
     *         visual separators, or more than 15 digits
     */
    public Optional<String> normalise(String number) {
        return Optional.ofNullable(key(number));
    }

    /** {@link #normalise(String)} without the Optional, for lookups: {@code null} when not a number. */
    String key(String number) {
        if (number == null) {
            return null;
        }
        int n = number.length();
        StringBuilder digits = new StringBuilder(Math.min(n, MAX_DIGITS + 1));
        boolean plus = false;
        int trunkAt = -1;
        for (int i = 0; i < n; i++) {
            char c = number.charAt(i);
            if (c >= '0' && c <= '9') {
                if (digits.length() == MAX_DIGITS + 4) {
                    return null;
                }
                digits.append(c);
            } else if (c == '(' && i + 2 < n && number.charAt(i + 1) == '0' && number.charAt(i + 2) == ')'
                    && trunkAt < 0) {
                // "(0)": the trunk prefix, dialled only from within the country ("+49 (0)30 ...").
                trunkAt = digits.length();
                i += 2;
            } else if (c == '+' && !plus && digits.length() == 0 && trunkAt < 0) {
                plus = true;
            } else if (SEPARATORS.indexOf(c) < 0) {
                return null;
            }
        }
        if (digits.length() == 0) {
            return null;
        }
        String ip = internationalPrefix.orElse(null);
        boolean afterIp = ip != null && startsWith(digits, ip);
        boolean international = plus || afterIp && digits.length() > ip.length();
        if (!international && trunkAt >= 0) {
            // Written nationally, "(0)30 123" still means 030 123.
            digits.insert(trunkAt, '0');
        }
        String e164;
        if (plus) {
            e164 = digits.toString();
        } else if (international) {
            e164 = digits.substring(ip.length());
        } else if (!afterIp && countryCode.isPresent() && nationalPrefix.isPresent()
                && startsWith(digits, nationalPrefix.get())
                && digits.length() > nationalPrefix.get().length()) {
            e164 = countryCode.get() + digits.substring(nationalPrefix.get().length());
        } else {
            return digits.length() <= MAX_DIGITS ? digits.toString() : null;
        }
        if (international && countryCode.isPresent() && nationalPrefix.isPresent()) {
            // "+49 030 123": the trunk prefix after the own country code, as written when "(0)" lost its
            // parentheses (a tel URI drops them as visual separators). No national number starts with it.
            String cc = countryCode.get();
            String np = nationalPrefix.get();
            if (e164.startsWith(cc) && e164.startsWith(np, cc.length()) && e164.length() > cc.length() + np.length()) {
                e164 = cc + e164.substring(cc.length() + np.length());
            }
        }
        if (e164.length() > MAX_DIGITS || e164.charAt(0) == '0') {
            return null;
        }
        return "+" + e164;
    }

    private static boolean startsWith(StringBuilder digits, String prefix) {
        if (digits.length() < prefix.length()) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            if (digits.charAt(i) != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static void check(String what, String value, int maxLength) {
        if (value.isEmpty() || value.length() > maxLength) {
            throw new IllegalArgumentException(what + " '" + value + "' must have 1 to " + maxLength + " digits");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                throw new IllegalArgumentException(what + " '" + value + "' must be digits only");
            }
        }
    }

    private static Optional<String> optional(String value) {
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.strip());
    }
}
