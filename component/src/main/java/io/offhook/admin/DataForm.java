package io.offhook.admin;

import io.offhook.xmpp.stream.XmlChars;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.dom4j.DocumentHelper;
import org.dom4j.Element;
import org.dom4j.QName;

/**
 * An XEP-0004 data form ({@code <x xmlns='jabber:x:data'/>}): the input and output of the admin commands, which any
 * client that speaks ad-hoc commands can show without knowing Offhook. Immutable; it checks itself when made and
 * writes its own XML; {@link #parse} reads what a client submits.
 *
 * @param type form (asks for input), submit or cancel (a client's answer), result (output)
 * @param title a title, or empty
 * @param instructions instructions for a form, or empty
 * @param fields the fields, in order
 * @param reported for a table (a result with several items): the columns, empty otherwise
 * @param items for a table: the rows, each with fields for the reported columns
 */
public record DataForm(Type type, String title, String instructions, List<Field> fields, List<Field> reported,
                       List<List<Field>> items) {
    /** The XEP-0004 namespace. */
    public static final String NAMESPACE = "jabber:x:data";
    /** A submitted form with more fields, or a field with more values, is refused as malformed. */
    static final int MAX_FIELDS = 64;
    /** A submitted value longer than this is refused as malformed: every value an admin types is short. */
    static final int MAX_VALUE_CHARS = 3000;

    /** What a form is for (XEP-0004 section 3.1). */
    public enum Type {
        FORM, SUBMIT, CANCEL, RESULT;

        String xml() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The field types of XEP-0004 section 3.3 this component writes or accepts. */
    private static final Set<String> FIELD_TYPES = Set.of("boolean", "fixed", "hidden", "jid-multi", "jid-single",
            "list-multi", "list-single", "text-multi", "text-private", "text-single");

    /**
     * One field.
     *
     * @param var its name; empty only for a {@code fixed} field (a line of text)
     * @param label what a client shows next to it, or empty
     * @param type an XEP-0004 field type, or empty (text-single is implied)
     * @param required whether a form needs it filled
     * @param values its values; characters XML does not allow are replaced
     */
    public record Field(String var, String label, String type, boolean required, List<String> values) {
        public Field {
            Objects.requireNonNull(var, "var");
            Objects.requireNonNull(label, "label");
            Objects.requireNonNull(type, "type");
            if (!type.isEmpty() && !FIELD_TYPES.contains(type)) {
                throw new IllegalArgumentException("unknown field type '" + type + "'");
            }
            if (var.isEmpty() && !type.equals("fixed")) {
                throw new IllegalArgumentException("only a fixed field may have no var");
            }
            List<String> clean = new ArrayList<>(values.size());
            for (String v : values) {
                clean.add(XmlChars.clean(Objects.requireNonNull(v, "value")));
            }
            values = List.copyOf(clean);
            label = XmlChars.clean(label);
        }

        /** A one-line value for a result. */
        public static Field text(String var, String label, String value) {
            return new Field(var, label, "text-single", false, List.of(value));
        }

        /** Several lines for a result. */
        public static Field lines(String var, String label, List<String> values) {
            return new Field(var, label, "text-multi", false, values);
        }

        /** A required one-line input of a form. */
        public static Field input(String var, String label) {
            return new Field(var, label, "text-single", true, List.of());
        }

        /** A cell of a table row: a value without type or label (the reported column has them). */
        public static Field cell(String var, String value) {
            return new Field(var, "", "", false, List.of(value));
        }

        /** A column of a table: typed, as XEP-0004 section 3.4 asks of reported fields (their cells are not). */
        public static Field column(String var, String label) {
            return new Field(var, label, "text-single", false, List.of());
        }

        /** The first value, trimmed; empty when there is none or it is blank. */
        public Optional<String> first() {
            return values.isEmpty() || values.get(0).isBlank() ? Optional.empty() : Optional.of(values.get(0).strip());
        }

        Element toElement() {
            Element field = DocumentHelper.createElement(QName.get("field", NAMESPACE));
            if (!var.isEmpty()) {
                field.addAttribute("var", var);
            }
            if (!label.isEmpty()) {
                field.addAttribute("label", label);
            }
            if (!type.isEmpty()) {
                field.addAttribute("type", type);
            }
            if (required) {
                field.addElement("required");
            }
            for (String v : values) {
                field.addElement("value").setText(v);
            }
            return field;
        }
    }

    public DataForm {
        Objects.requireNonNull(type, "type");
        title = XmlChars.clean(Objects.requireNonNull(title, "title"));
        instructions = XmlChars.clean(Objects.requireNonNull(instructions, "instructions"));
        fields = List.copyOf(fields);
        reported = List.copyOf(reported);
        List<List<Field>> rows = new ArrayList<>(items.size());
        Set<String> columns = new HashSet<>();
        reported.forEach(c -> columns.add(c.var()));
        for (List<Field> row : items) {
            for (Field cell : row) {
                if (!columns.contains(cell.var())) {
                    throw new IllegalArgumentException("item field '" + cell.var() + "' is not a reported column");
                }
            }
            rows.add(List.copyOf(row));
        }
        items = List.copyOf(rows);
        if (!items.isEmpty() && reported.isEmpty()) {
            throw new IllegalArgumentException("items need reported columns");
        }
    }

    /** A form that asks for input. */
    public static DataForm form(String title, String instructions, List<Field> fields) {
        return new DataForm(Type.FORM, title, instructions, fields, List.of(), List.of());
    }

    /** A result of single values. */
    public static DataForm result(String title, List<Field> fields) {
        return new DataForm(Type.RESULT, title, "", fields, List.of(), List.of());
    }

    /** A result table: the columns, and one row of cells per item. */
    public static DataForm table(String title, List<Field> columns, List<List<Field>> rows) {
        return new DataForm(Type.RESULT, title, "", List.of(), columns, rows);
    }

    /** The field named {@code var}, if the form has one. */
    public Optional<Field> field(String var) {
        return fields.stream().filter(f -> f.var().equals(var)).findFirst();
    }

    /** The {@code <x xmlns='jabber:x:data'/>} element, detached. */
    public Element toElement() {
        Element x = DocumentHelper.createElement(QName.get("x", NAMESPACE));
        x.addAttribute("type", type.xml());
        if (!title.isEmpty()) {
            x.addElement("title").setText(title);
        }
        if (!instructions.isEmpty()) {
            x.addElement("instructions").setText(instructions);
        }
        for (Field f : fields) {
            x.add(f.toElement());
        }
        if (!reported.isEmpty()) {
            Element r = x.addElement("reported");
            for (Field c : reported) {
                r.add(c.toElement());
            }
            for (List<Field> row : items) {
                Element item = x.addElement("item");
                for (Field cell : row) {
                    item.add(cell.toElement());
                }
            }
        }
        return x;
    }

    /**
     * Reads a form a client sent (its fields; a client sends no table).
     *
     * @throws IllegalArgumentException naming what is wrong: not a data form, an unknown type, a field without a
     *     var, more than {@value #MAX_FIELDS} fields or values, a value over {@value #MAX_VALUE_CHARS} characters
     */
    public static DataForm parse(Element x) {
        if (!"x".equals(x.getName()) || !NAMESPACE.equals(x.getNamespaceURI())) {
            throw new IllegalArgumentException("not a data form: <" + x.getName() + " xmlns='" + x.getNamespaceURI()
                    + "'>");
        }
        String typeText = x.attributeValue("type", "");
        Type type = null;
        for (Type t : Type.values()) {
            if (t.xml().equals(typeText)) {
                type = t;
            }
        }
        if (type == null) {
            throw new IllegalArgumentException("data form type '" + typeText + "' is none of form, submit, cancel, "
                    + "result");
        }
        List<Field> fields = new ArrayList<>();
        for (Element f : x.elements("field")) {
            if (fields.size() == MAX_FIELDS) {
                throw new IllegalArgumentException("more than " + MAX_FIELDS + " fields");
            }
            String var = f.attributeValue("var", "");
            String fieldType = f.attributeValue("type", "");
            if (var.isEmpty() && !fieldType.equals("fixed")) {
                throw new IllegalArgumentException("a field without var");
            }
            List<String> values = new ArrayList<>();
            for (Element v : f.elements("value")) {
                if (values.size() == MAX_FIELDS) {
                    throw new IllegalArgumentException("field '" + var + "' has more than " + MAX_FIELDS + " values");
                }
                String text = v.getText();
                if (text.length() > MAX_VALUE_CHARS) {
                    throw new IllegalArgumentException("field '" + var + "' has a value longer than "
                            + MAX_VALUE_CHARS + " characters");
                }
                values.add(text);
            }
            fields.add(new Field(var, f.attributeValue("label", ""),
                    FIELD_TYPES.contains(fieldType) ? fieldType : "", f.element("required") != null, values));
        }
        Element title = x.element("title");
        return new DataForm(type, title == null ? "" : title.getText(), "", fields, List.of(), List.of());
    }
}
