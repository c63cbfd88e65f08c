package dev.jdpo.tokenizer.io;

import com.google.gson.JsonElement;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.MalformedJsonException;
import dev.jdpo.tokenizer.data.ErrorCode;
import dev.jdpo.tokenizer.data.InvalidRowException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * A JSON array of row objects, streamed element by element. Row numbers are 1-based element positions. A syntax
 * error inside the array leaves no way to find the next element, so it ends the file with an error.
 */
final class JsonArraySource implements RowSource {

    private final String name;
    private final JsonReader reader;
    private long row;
    private boolean started;
    private boolean done;

    JsonArraySource(String name, InputStream stream) {
        this.name = name;
        this.reader = SafeJson.reader(new InputStreamReader(stream, StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)));
    }

    @Override
    public RawRow next() throws DataFileException {
        if (done) {
            return null;
        }
        try {
            if (!started) {
                reader.beginArray();
                started = true;
            }
            if (!reader.hasNext()) {
                reader.endArray();
                if (reader.peek() != JsonToken.END_DOCUMENT) {
                    throw new DataFileException(name + ": unexpected data after the JSON array");
                }
                done = true;
                return null;
            }
            row++;
            JsonElement value = SafeJson.readElement(reader);
            if (!value.isJsonObject()) {
                return RawRow.bad(row, new InvalidRowException(ErrorCode.NOT_AN_OBJECT, "",
                        "array element is a JSON " + (value.isJsonArray() ? "array" : "value") + ", not an object"));
            }
            return RawRow.ok(row, value.getAsJsonObject());
        } catch (InvalidRowException e) {
            done = true;
            throw new DataFileException(name + ": element " + row + " of the JSON array: " + e.getMessage()
                    + " (the rest of the array cannot be read)", e);
        } catch (IOException | IllegalStateException e) {
            done = true;
            String problem = e instanceof MalformedJsonException || e instanceof IllegalStateException
                    ? SafeJson.describe(e) : e.getMessage();
            throw new DataFileException(name + ": element " + Math.max(row, 1) + " of the JSON array: " + problem, e);
        }
    }

    @Override
    public void close() throws DataFileException {
        DataFileException.close(name, reader);
    }
}
