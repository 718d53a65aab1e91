package io.offhook.tap.publish;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** The publication bodies under {@code src/test/resources/publish}, and small ones written in tests. */
final class Bodies {
    private Bodies() {
    }

    static byte[] fixture(String name) {
        try (InputStream in = Bodies.class.getResourceAsStream("/publish/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture /publish/" + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** A PIDF document with one tuple of {@code basic} and, when not null, one RPID activity. */
    static byte[] pidf(String entity, String basic, String activity) {
        return utf8("<?xml version=\"1.0\"?><presence xmlns=\"urn:ietf:params:xml:ns:pidf\""
                + " xmlns:dm=\"urn:ietf:params:xml:ns:pidf:data-model\""
                + " xmlns:rpid=\"urn:ietf:params:xml:ns:pidf:rpid\" entity=\"" + entity + "\">"
                + "<tuple id=\"t1\"><status><basic>" + basic + "</basic></status></tuple>"
                + (activity == null ? "" : "<dm:person id=\"p\"><rpid:activities><rpid:" + activity
                + "/></rpid:activities></dm:person>")
                + "</presence>");
    }

    /** A dialog-info document; each dialog is {@code id:state[:direction[:held]]}, call-id {@code c-<id>}. */
    static byte[] dialogInfo(String entity, long version, boolean full, String... dialogs) {
        StringBuilder b = new StringBuilder("<?xml version=\"1.0\"?><dialog-info"
                + " xmlns=\"urn:ietf:params:xml:ns:dialog-info\" version=\"" + version + "\" state=\""
                + (full ? "full" : "partial") + "\" entity=\"" + entity + "\">");
        for (String d : dialogs) {
            String[] p = d.split(":");
            b.append("<dialog id=\"").append(p[0]).append("\" call-id=\"c-").append(p[0]).append('"');
            if (p.length > 2 && !p[2].isEmpty()) {
                b.append(" direction=\"").append(p[2]).append('"');
            }
            b.append("><state>").append(p[1]).append("</state>")
                    .append("<remote><identity>sip:bob@example.com</identity></remote>");
            if (p.length > 3) {
                b.append("<local><target uri=\"sip:x@example.com\"><param pname=\"+sip.rendering\" pval=\"no\"/>"
                        + "</target></local>");
            }
            b.append("</dialog>");
        }
        return utf8(b.append("</dialog-info>").toString());
    }
}
