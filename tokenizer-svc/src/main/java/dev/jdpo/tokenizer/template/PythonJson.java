package dev.jdpo.tokenizer.template;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * JSON text exactly as Python's {@code json.dumps(x, ensure_ascii=False, indent=..., sort_keys=...)} writes it,
 * which is what transformers' {@code tojson} filter produces: ", " and ": " separators, non-ASCII kept.
 */
final class PythonJson {

    private PythonJson() {
    }

    static String dumps(Object value, Integer indent, boolean sortKeys) {
        StringBuilder out = new StringBuilder();
        write(out, value, indent, sortKeys, 0);
        return out.toString();
    }

    private static void write(StringBuilder out, Object value, Integer indent, boolean sortKeys, int depth) {
        if (value == null) {
            out.append("null");
        } else if (value instanceof String || value instanceof CharSequence) {
            string(out, value.toString());
        } else if (value instanceof Boolean) {
            out.append((Boolean) value ? "true" : "false");
        } else if (value instanceof Double || value instanceof Float) {
            number(out, ((Number) value).doubleValue());
        } else if (value instanceof Number) {
            out.append(value);
        } else if (value instanceof Map<?, ?> map) {
            List<Map.Entry<?, ?>> entries = new ArrayList<>(map.entrySet());
            if (sortKeys) {
                entries.sort((a, b) -> String.valueOf(a.getKey()).compareTo(String.valueOf(b.getKey())));
            }
            container(out, '{', '}', entries, indent, depth, (o, e) -> {
                string(o, String.valueOf(e.getKey()));
                o.append(": ");
                write(o, e.getValue(), indent, sortKeys, depth + 1);
            });
        } else if (value instanceof Collection<?> list) {
            container(out, '[', ']', new ArrayList<>(list), indent, depth,
                    (o, e) -> write(o, e, indent, sortKeys, depth + 1));
        } else if (value instanceof Object[] array) {
            write(out, List.of(array), indent, sortKeys, depth);
        } else {
            string(out, value.toString());
        }
    }

    private interface ItemWriter<T> {
        void write(StringBuilder out, T item);
    }

    private static <T> void container(StringBuilder out, char open, char close, List<T> items, Integer indent,
                                      int depth, ItemWriter<T> writer) {
        out.append(open);
        if (items.isEmpty()) {
            out.append(close);
            return;
        }
        for (int i = 0; i < items.size(); i++) {
            if (i > 0) {
                out.append(indent == null ? ", " : ",");
            }
            if (indent != null) {
                out.append('\n').append(" ".repeat(indent * (depth + 1)));
            }
            writer.write(out, items.get(i));
        }
        if (indent != null) {
            out.append('\n').append(" ".repeat(indent * depth));
        }
        out.append(close);
    }

    /** Python's float repr: integral values keep ".0"; NaN/Infinity as Python writes them. */
    private static void number(StringBuilder out, double d) {
        if (Double.isNaN(d)) {
            out.append("NaN");
        } else if (Double.isInfinite(d)) {
            out.append(d > 0 ? "Infinity" : "-Infinity");
        } else if (d == Math.rint(d) && Math.abs(d) < 1e16) {
            out.append((long) d).append(".0");
        } else {
            out.append(d);
        }
    }

    private static void string(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
