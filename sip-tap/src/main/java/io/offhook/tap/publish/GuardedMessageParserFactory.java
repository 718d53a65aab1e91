package io.offhook.tap.publish;

import gov.nist.javax.sip.parser.MessageParser;
import gov.nist.javax.sip.parser.MessageParserFactory;
import gov.nist.javax.sip.parser.StringMsgParserFactory;
import gov.nist.javax.sip.stack.SIPTransactionStack;
import java.text.ParseException;

/**
 * JAIN-SIP's own message parser behind a check for input that makes it run away. JAIN-SIP 1.3.0-91's Via parser
 * never ends on a comment whose last character is a backslash at the end of its line ({@code Via: SIP/2.0/UDP h
 * (x\}): it appends to the comment until the heap is gone (found by fuzzing, RELIABILITY.md). Every JAIN-SIP stack
 * of Offhook parses each datagram and TCP message before anything of ours sees it, the allow-list included, so one
 * small datagram from anyone who reaches the port could take the process down. RFC 3261's quoted-pair cannot
 * escape a CR or LF (section 25.1), so a header section holding a backslash right before a line end, or at its very
 * end, is malformed SIP: it is refused as a {@link ParseException}, which the stack counts and drops as any other.
 * Set by {@link JainSipStacks#baseProperties} ({@code gov.nist.javax.sip.MESSAGE_PARSER_FACTORY}).
 */
public final class GuardedMessageParserFactory implements MessageParserFactory {
    private final StringMsgParserFactory jainSip = new StringMsgParserFactory();

    /** JAIN-SIP makes its factory by name, with this constructor. */
    public GuardedMessageParserFactory() {
    }

    @Override
    public MessageParser createMessageParser(SIPTransactionStack stack) {
        MessageParser parser = jainSip.createMessageParser(stack);
        return (message, readBody, strict, listener) -> {
            int at = escapedLineEnd(message);
            if (at >= 0) {
                throw new ParseException("a backslash escapes the end of a header line (RFC 3261 quoted-pair "
                        + "cannot escape CR or LF)", at);
            }
            return parser.parseSIPMessage(message, readBody, strict, listener);
        };
    }

    /**
     * Where the header section of {@code message} holds a backslash right before a CR, an LF or its end, or -1.
     * The body (after the first empty line) may hold anything.
     */
    static int escapedLineEnd(byte[] message) {
        if (message == null) {
            return -1;
        }
        int n = message.length;
        for (int i = 0; i < n; i++) {
            byte b = message[i];
            if (b == '\\' && (i + 1 == n || message[i + 1] == '\r' || message[i + 1] == '\n')) {
                return i;
            }
            if (b == '\n' && i + 1 < n
                    && (message[i + 1] == '\n' || message[i + 1] == '\r' && i + 2 < n && message[i + 2] == '\n')) {
                return -1; // the empty line: the body follows
            }
        }
        return -1;
    }
}
