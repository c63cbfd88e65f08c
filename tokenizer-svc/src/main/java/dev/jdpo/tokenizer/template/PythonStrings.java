package dev.jdpo.tokenizer.template;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Predicate;

/** Python's str methods that chat templates call, with Python's semantics (Java's split/strip differ). */
final class PythonStrings {

    private PythonStrings() {
    }

    /** The result of {@code value.name(args)}, or empty when str has no such method here. */
    static Optional<Object> call(String value, String name, Object[] args) {
        Object result = switch (name) {
            case "startswith" -> anyMatch(args, value::startsWith);
            case "endswith" -> anyMatch(args, value::endsWith);
            case "strip" -> rstrip(lstrip(value, chars(args)), chars(args));
            case "lstrip" -> lstrip(value, chars(args));
            case "rstrip" -> rstrip(value, chars(args));
            case "split" -> split(value, args);
            case "upper" -> value.toUpperCase(Locale.ROOT);
            case "lower" -> value.toLowerCase(Locale.ROOT);
            case "replace" -> value.replace(String.valueOf(args[0]), String.valueOf(args[1]));
            default -> null;
        };
        return Optional.ofNullable(result);
    }

    /** str.startswith accepts one prefix or a tuple of them. */
    private static boolean anyMatch(Object[] args, Predicate<String> test) {
        if (args.length == 0) {
            throw new IllegalArgumentException("startswith/endswith need an argument");
        }
        if (args[0] instanceof Collection<?> options) {
            return options.stream().anyMatch(o -> test.test(String.valueOf(o)));
        }
        return test.test(String.valueOf(args[0]));
    }

    /** Characters to strip, or null for whitespace. */
    private static String chars(Object[] args) {
        return args.length == 0 || args[0] == null ? null : args[0].toString();
    }

    private static boolean strips(char c, String chars) {
        return chars == null ? Character.isWhitespace(c) || Character.isSpaceChar(c) : chars.indexOf(c) >= 0;
    }

    private static String lstrip(String s, String chars) {
        int i = 0;
        while (i < s.length() && strips(s.charAt(i), chars)) {
            i++;
        }
        return s.substring(i);
    }

    private static String rstrip(String s, String chars) {
        int i = s.length();
        while (i > 0 && strips(s.charAt(i - 1), chars)) {
            i--;
        }
        return s.substring(0, i);
    }

    /** str.split(sep=None, maxsplit=-1): a literal separator keeps empty parts; no separator splits on whitespace runs. */
    private static List<String> split(String s, Object[] args) {
        String sep = args.length == 0 || args[0] == null ? null : args[0].toString();
        int max = args.length > 1 && args[1] != null ? Integer.parseInt(args[1].toString()) : -1;
        List<String> parts = new ArrayList<>();
        if (sep == null) {
            String rest = lstrip(s, null);
            while (!rest.isEmpty()) {
                if (max >= 0 && parts.size() == max) {
                    parts.add(rest);
                    return parts;
                }
                int end = 0;
                while (end < rest.length() && !strips(rest.charAt(end), null)) {
                    end++;
                }
                parts.add(rest.substring(0, end));
                rest = lstrip(rest.substring(end), null);
            }
            return parts;
        }
        if (sep.isEmpty()) {
            throw new IllegalArgumentException("empty separator");
        }
        int from = 0;
        while (max < 0 || parts.size() < max) {
            int at = s.indexOf(sep, from);
            if (at < 0) {
                break;
            }
            parts.add(s.substring(from, at));
            from = at + sep.length();
        }
        parts.add(s.substring(from));
        return parts;
    }
}
