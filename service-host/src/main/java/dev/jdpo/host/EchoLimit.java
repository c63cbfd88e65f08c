package dev.jdpo.host;

/**
 * How much of a caller's input an error message may echo. gRPC sends a status message in the HTTP/2 trailers,
 * whose size the peer bounds (8 KiB by default), so a message that echoes a huge field never arrives.
 */
public final class EchoLimit {

    /** Characters of one echoed value (a path, a name, an id). */
    public static final int MAX_VALUE_CHARS = 200;
    /** Characters of one sentence about a value (a field violation). */
    public static final int MAX_DESCRIPTION_CHARS = 600;
    /** Characters of a whole status message. */
    public static final int MAX_MESSAGE_CHARS = 2000;

    private EchoLimit() {
    }

    /** {@code value}, cut to {@link #MAX_VALUE_CHARS} with its full length said. */
    public static String value(String value) {
        return cut(value, MAX_VALUE_CHARS);
    }

    /** {@code description}, cut to {@link #MAX_DESCRIPTION_CHARS}. */
    public static String description(String description) {
        return cut(description, MAX_DESCRIPTION_CHARS);
    }

    /** {@code message}, cut to {@link #MAX_MESSAGE_CHARS}. */
    public static String message(String message) {
        return cut(message, MAX_MESSAGE_CHARS);
    }

    private static String cut(String text, int max) {
        if (text == null || text.length() <= max) {
            return text;
        }
        return text.substring(0, max) + "... (" + text.length() + " characters)";
    }
}
