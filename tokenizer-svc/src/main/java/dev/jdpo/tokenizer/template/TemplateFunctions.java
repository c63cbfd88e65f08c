package dev.jdpo.tokenizer.template;

import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** Globals that transformers adds to every chat template besides raise_exception. */
public final class TemplateFunctions {

    private TemplateFunctions() {
    }

    /** {@code strftime_now(format)}: the current local time in a Python strftime format (common directives). */
    public static String strftimeNow(String format) {
        LocalDateTime now = LocalDateTime.now();
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < format.length(); i++) {
            char c = format.charAt(i);
            if (c != '%' || i + 1 == format.length()) {
                out.append(c);
                continue;
            }
            char d = format.charAt(++i);
            String pattern = switch (d) {
                case 'd' -> "dd";
                case 'b' -> "MMM";
                case 'B' -> "MMMM";
                case 'm' -> "MM";
                case 'y' -> "yy";
                case 'Y' -> "yyyy";
                case 'H' -> "HH";
                case 'M' -> "mm";
                case 'S' -> "ss";
                case 'a' -> "EEE";
                case 'A' -> "EEEE";
                case 'p' -> "a";
                default -> null;
            };
            if (pattern == null) {
                out.append(d == '%' ? "%" : "%" + d);
            } else {
                out.append(DateTimeFormatter.ofPattern(pattern, Locale.ENGLISH).format(now));
            }
        }
        return out.toString();
    }
}
