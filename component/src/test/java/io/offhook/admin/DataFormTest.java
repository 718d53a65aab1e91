package io.offhook.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offhook.admin.DataForm.Field;
import java.util.List;
import java.util.Optional;
import org.dom4j.DocumentException;
import org.dom4j.DocumentHelper;
import org.dom4j.Element;
import org.junit.jupiter.api.Test;

/** XEP-0004 forms as the admin commands write and read them. */
class DataFormTest {
    static Element xml(String text) throws DocumentException {
        return DocumentHelper.parseText(text).getRootElement();
    }

    @Test
    void aFormAskingForInputIsWrittenAsXep0004Says() {
        DataForm form = DataForm.form("Show one user", "Type a JID.", List.of(Field.input("user", "User")));
        assertEquals("<x xmlns=\"jabber:x:data\" type=\"form\"><title>Show one user</title>"
                + "<instructions>Type a JID.</instructions><field var=\"user\" label=\"User\" type=\"text-single\">"
                + "<required/></field></x>", form.toElement().asXML());
    }

    @Test
    void aTableHasReportedColumnsAndOneItemPerRow() {
        DataForm table = DataForm.table("Users", List.of(Field.column("jid", "XMPP user"),
                Field.column("state", "State")), List.of(
                List.of(Field.cell("jid", "alice@localhost"), Field.cell("state", "ON_THE_PHONE")),
                List.of(Field.cell("jid", "bob@localhost"), Field.cell("state", "OFFLINE"))));
        assertEquals("<x xmlns=\"jabber:x:data\" type=\"result\"><title>Users</title><reported>"
                + "<field var=\"jid\" label=\"XMPP user\" type=\"text-single\"/>"
                + "<field var=\"state\" label=\"State\" type=\"text-single\"/></reported>"
                + "<item><field var=\"jid\"><value>alice@localhost</value></field>"
                + "<field var=\"state\"><value>ON_THE_PHONE</value></field></item>"
                + "<item><field var=\"jid\"><value>bob@localhost</value></field>"
                + "<field var=\"state\"><value>OFFLINE</value></field></item></x>", table.toElement().asXML());
    }

    @Test
    void valuesWithCharactersXmlForbidsAreCleaned() {
        Field f = Field.text("status", "Status", "On the phone\u0001");
        assertEquals(List.of("On the phone\uFFFD"), f.values());
    }

    @Test
    void aSubmittedFormIsReadBackAndItsFirstValueTrimmed() throws DocumentException {
        DataForm form = DataForm.parse(xml("<x xmlns='jabber:x:data' type='submit'><field var='user'>"
                + "<value>  alice@localhost </value></field><field var='blank'><value> </value></field></x>"));
        assertEquals(DataForm.Type.SUBMIT, form.type());
        assertEquals(Optional.of("alice@localhost"), form.field("user").flatMap(Field::first));
        assertEquals(Optional.empty(), form.field("blank").flatMap(Field::first));
        assertEquals(Optional.empty(), form.field("missing"));
    }

    @Test
    void aMalformedFormIsRefusedSayingWhy() {
        assertMalformed("<x xmlns='jabber:x:oob' type='submit'/>", "not a data form");
        assertMalformed("<x xmlns='jabber:x:data' type='sumbit'/>", "type 'sumbit'");
        assertMalformed("<x xmlns='jabber:x:data' type='submit'><field><value>x</value></field></x>",
                "without var");
        StringBuilder many = new StringBuilder("<x xmlns='jabber:x:data' type='submit'>");
        for (int i = 0; i <= DataForm.MAX_FIELDS; i++) {
            many.append("<field var='f").append(i).append("'/>");
        }
        assertMalformed(many.append("</x>").toString(), "more than 64 fields");
        assertMalformed("<x xmlns='jabber:x:data' type='submit'><field var='user'><value>"
                + "a".repeat(DataForm.MAX_VALUE_CHARS + 1) + "</value></field></x>", "longer than");
    }

    @Test
    void aFormChecksItself() {
        assertThrows(IllegalArgumentException.class, () -> new Field("x", "", "text-singel", false, List.of()));
        assertThrows(IllegalArgumentException.class, () -> new Field("", "", "text-single", false, List.of()));
        assertThrows(IllegalArgumentException.class, () -> DataForm.table("t", List.of(Field.column("a", "A")),
                List.of(List.of(Field.cell("b", "1")))));
    }

    private static void assertMalformed(String text, String why) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DataForm.parse(xml(text)));
        assertTrue(e.getMessage().contains(why), e.getMessage());
    }
}
