package dev.jdpo.tokenizer.template;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Finds template constructs that Jinjava accepts but renders differently from Jinja2 without any error, so that
 * rendering can fail loudly instead of producing silently wrong prompts.
 */
final class UnsupportedConstructs {

    private static final Pattern LOOP_FILTER = Pattern.compile("^\\s*-?\\s*for\\s.+\\sin\\s.+\\sif\\s.+", Pattern.DOTALL);

    private UnsupportedConstructs() {
    }

    /** A construct Jinjava would silently get wrong, if the template uses one. */
    static Optional<String> find(String source) {
        int i = 0;
        while (true) {
            int open = nextTag(source, i);
            if (open < 0) {
                return Optional.empty();
            }
            int end = tagEnd(source, open + 2, source.charAt(open + 1) == '{' ? "}}" : "%}");
            String code = withoutStrings(source.substring(open + 2, end));
            if (source.charAt(open + 1) == '%' && LOOP_FILTER.matcher(code).matches()) {
                return Optional.of("loop filters ({% for x in items if condition %}) are not supported; "
                        + "the template engine would render such loops empty");
            }
            i = end;
        }
    }

    private static int nextTag(String s, int from) {
        int a = s.indexOf("{{", from);
        int b = s.indexOf("{%", from);
        return a < 0 ? b : b < 0 ? a : Math.min(a, b);
    }

    /** Index of the closing delimiter, skipping quoted strings; the end of the source when unclosed. */
    private static int tagEnd(String s, int from, String close) {
        char quote = 0;
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quote != 0) {
                if (c == '\\') {
                    i++;
                } else if (c == quote) {
                    quote = 0;
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
            } else if (s.startsWith(close, i)) {
                return i;
            }
        }
        return s.length();
    }

    private static String withoutStrings(String code) {
        return code.replaceAll("'(\\\\.|[^'\\\\])*'|\"(\\\\.|[^\"\\\\])*\"", "''");
    }
}
