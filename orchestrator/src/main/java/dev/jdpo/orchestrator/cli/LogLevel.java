package dev.jdpo.orchestrator.cli;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import picocli.CommandLine;

/**
 * How much a jdpo process logs ({@code --log-level}, env {@code JDPO_LOG_LEVEL}): jdpo's own loggers log at this
 * level; the libraries (DJL, Micronaut, Netty, gRPC, H2, ...) log their warnings and errors only, or less when the
 * level is stricter, so their INFO lines stay out of the progress bar.
 */
enum LogLevel {
    ERROR, WARN, INFO, DEBUG, TRACE;

    static final String OPTION = "--log-level";
    static final String ENV = "JDPO_LOG_LEVEL";

    /** The level to use when no option is given: {@code JDPO_LOG_LEVEL}, else INFO. */
    static LogLevel fromEnvironment(String env) {
        return env == null || env.isBlank() ? INFO : parse(env, ENV);
    }

    /** @param source what to name in the message, or null where the caller names it (picocli names the option) */
    static LogLevel parse(String text, String source) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException unknown) {
            String shown = text.length() > 20 ? text.substring(0, 20) + "..." : text;
            throw new CommandLine.TypeConversionException((source == null ? "" : source + ": ") + "expected one of "
                    + names() + ", got \"" + shown + "\"");
        }
    }

    /**
     * Configures slf4j-simple (see simplelogger.properties); takes effect only before the first logger is created,
     * which is why the CLI applies it before any command runs.
     */
    void apply() {
        String name = name().toLowerCase(Locale.ROOT);
        System.setProperty("org.slf4j.simpleLogger.log.dev.jdpo", name);
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel",
                compareTo(WARN) < 0 ? name : WARN.name().toLowerCase(Locale.ROOT));
    }

    private static String names() {
        return Arrays.stream(values()).map(level -> level.name().toLowerCase(Locale.ROOT))
                .collect(Collectors.joining(", "));
    }

    /** picocli's converter: case-insensitive, and the message lists the levels. */
    static final class Converter implements CommandLine.ITypeConverter<LogLevel> {
        @Override
        public LogLevel convert(String value) {
            return parse(value, null);
        }
    }
}
