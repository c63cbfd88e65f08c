package dev.jdpo.tokenizer.io;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;

/**
 * Writes UltraFeedback-shaped JSONL rows as Parquet with the layout Hugging Face datasets (pyarrow) use: 3-level
 * LIST of structs, snappy. Made examples/data/ultrafeedback.parquet:
 * {@code java -cp <test classpath> dev.jdpo.tokenizer.io.ParquetSampleWriter examples/data/ultrafeedback.jsonl examples/data/ultrafeedback.parquet}.
 */
public final class ParquetSampleWriter {

    static final MessageType SCHEMA = MessageTypeParser.parseMessageType("message schema {\n"
            + "  optional binary prompt (STRING);\n"
            + "  optional group chosen (LIST) { repeated group list { optional group element {"
            + " optional binary content (STRING); optional binary role (STRING); } } }\n"
            + "  optional group rejected (LIST) { repeated group list { optional group element {"
            + " optional binary content (STRING); optional binary role (STRING); } } }\n"
            + "  optional double score_chosen;\n"
            + "  optional double score_rejected;\n"
            + "}");

    private ParquetSampleWriter() {
    }

    public static void main(String[] args) throws IOException {
        write(Path.of(args[0]), Path.of(args[1]));
    }

    static void write(Path jsonl, Path parquet) throws IOException {
        List<String> lines = Files.readAllLines(jsonl, StandardCharsets.UTF_8);
        Files.deleteIfExists(parquet);
        SimpleGroupFactory groups = new SimpleGroupFactory(SCHEMA);
        try (ParquetWriter<Group> writer = ExampleParquetWriter.builder(new LocalOutputFile(parquet))
                .withType(SCHEMA).withCompressionCodec(CompressionCodecName.SNAPPY).build()) {
            for (String line : lines) {
                JsonObject row = JsonParser.parseString(line).getAsJsonObject();
                Group g = groups.newGroup();
                g.add("prompt", row.get("prompt").getAsString());
                for (String side : new String[] {"chosen", "rejected"}) {
                    Group list = g.addGroup(side);
                    for (JsonElement m : row.getAsJsonArray(side)) {
                        Group element = list.addGroup("list").addGroup("element");
                        element.add("content", m.getAsJsonObject().get("content").getAsString());
                        element.add("role", m.getAsJsonObject().get("role").getAsString());
                    }
                }
                g.add("score_chosen", row.get("score_chosen").getAsDouble());
                g.add("score_rejected", row.get("score_rejected").getAsDouble());
                writer.write(g);
            }
        }
    }
}
