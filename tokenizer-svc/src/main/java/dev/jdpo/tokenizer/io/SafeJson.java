package dev.jdpo.tokenizer.io;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonIOException;
import com.google.gson.JsonParseException;
import com.google.gson.Strictness;
import com.google.gson.TypeAdapter;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.MalformedJsonException;
import dev.jdpo.tokenizer.data.ErrorCode;
import dev.jdpo.tokenizer.data.InvalidRowException;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.util.regex.Pattern;

/**
 * Strict JSON parsing with a nesting limit: Gson's lenient default accepts non-JSON, and unbounded nesting could
 * exhaust the stack on hostile input.
 */
public final class SafeJson {

    /** Deeper than any real preference row (tool schemas included), far below what would strain the stack. */
    public static final int MAX_NESTING = 128;

    private static final Pattern LENIENCY_ADVICE = Pattern.compile(
            "Use JsonReader\\.set(Strictness|Lenient)\\([^)]*\\) to accept malformed JSON");
    private static final Pattern WRAPPED_EXCEPTION = Pattern.compile("^([a-z]+\\.)+[A-Za-z]+(Exception|Error): ");
    private static final TypeAdapter<JsonElement> ELEMENT = new Gson().getAdapter(JsonElement.class);

    private SafeJson() {
    }

    /** Parses one complete JSON value; trailing data is an error. */
    public static JsonElement parse(String text) throws InvalidRowException {
        JsonReader reader = reader(new StringReader(text));
        try {
            JsonElement value = readElement(reader);
            if (reader.peek() != JsonToken.END_DOCUMENT) {
                throw new InvalidRowException(ErrorCode.MALFORMED_JSON, "", "unexpected data after the JSON value");
            }
            return value;
        } catch (IOException e) {
            throw malformed(e);
        }
    }

    static JsonReader reader(Reader in) {
        JsonReader reader = new JsonReader(in);
        reader.setStrictness(Strictness.STRICT);
        reader.setNestingLimit(MAX_NESTING);
        return reader;
    }

    /** Reads the next value from a strict reader; syntax and nesting problems become row errors. */
    static JsonElement readElement(JsonReader reader) throws InvalidRowException, IOException {
        try {
            return ELEMENT.read(reader);
        } catch (MalformedJsonException | JsonParseException | IllegalStateException | NumberFormatException e) {
            throw malformed(e);
        } catch (StackOverflowError e) {
            throw new InvalidRowException(ErrorCode.NESTING_TOO_DEEP, "", "JSON nests too deeply to parse");
        }
    }

    private static InvalidRowException malformed(Exception e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (message.contains("Nesting limit")) {
            return new InvalidRowException(ErrorCode.NESTING_TOO_DEEP, "",
                    "JSON nests deeper than " + MAX_NESTING + " levels");
        }
        if (e instanceof JsonIOException) {
            return new InvalidRowException(ErrorCode.MALFORMED_JSON, "", "cannot read JSON: " + message);
        }
        return new InvalidRowException(ErrorCode.MALFORMED_JSON, "", describe(e));
    }

    /** A reader's failure in words for the author of the file, without the library's advice to programmers. */
    static String describe(Exception e) {
        return "malformed JSON: " + shorten(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
    }

    /**
     * Gson's first line without its advice to the programmer (to switch its reader to lenient parsing, or the
     * class name of a wrapped exception), which means nothing to the author of a data file.
     */
    private static String shorten(String message) {
        String firstLine = message.lines().findFirst().orElse(message);
        String text = LENIENCY_ADVICE.matcher(WRAPPED_EXCEPTION.matcher(firstLine).replaceFirst(""))
                .replaceFirst("invalid JSON syntax");
        return text.length() > 200 ? text.substring(0, 200) + "..." : text;
    }
}
