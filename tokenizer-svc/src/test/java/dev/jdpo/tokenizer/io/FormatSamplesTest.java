package dev.jdpo.tokenizer.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdpo.tokenizer.Fixtures;
import dev.jdpo.tokenizer.data.DataFormat;
import dev.jdpo.tokenizer.data.PreferenceExample;
import dev.jdpo.tokenizer.pipeline.DataOptions;
import dev.jdpo.tokenizer.pipeline.EncodedPair;
import dev.jdpo.tokenizer.pipeline.PairEncoder;
import dev.jdpo.tokenizer.pipeline.PreferenceDataset;
import dev.jdpo.tokenizer.pipeline.PreparedDataset;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every checked-in sample (examples/data) parses to the same pairs as its JSONL equivalent. */
class FormatSamplesTest {

    @ParameterizedTest(name = "{0} ({1}) = trl-conversational.jsonl")
    @CsvSource({
        "openai.jsonl, openai",
        "trl-conversational.jsonl, trl-conversational",
        "trl-implicit.jsonl, trl-implicit",
        "orca.jsonl, orca",
        "ultrafeedback.jsonl, ultrafeedback",
        "openai.jsonl.gz, openai",
        "ultrafeedback.parquet, ultrafeedback",
    })
    void conversationalSamplesAreTheSameConversations(String file, String format) throws Exception {
        assertSame(file, format, "trl-conversational.jsonl", 4);
    }

    @ParameterizedTest(name = "{0} ({1}) = trl-standard.jsonl")
    @CsvSource({"trl-standard.jsonl, trl-standard", "trl-standard.json, trl-standard"})
    void textSamplesAreTheSamePairs(String file, String format) throws Exception {
        assertSame(file, format, "trl-standard.jsonl", 4);
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource({
        "trl-standard.hyparquet.parquet, trl-standard.jsonl, trl-standard",
        "trl-conversational.hyparquet.parquet, trl-conversational.jsonl, trl-conversational",
        "ultrafeedback.duckdb-gzip.parquet, trl-conversational.jsonl, ultrafeedback",
        "ultrafeedback.duckdb-zstd.parquet, trl-conversational.jsonl, ultrafeedback",
        "ultrafeedback.duckdb-snappy.parquet, trl-conversational.jsonl, ultrafeedback",
    })
    void parquetFromAnotherWriterReadsTheSame(String file, String reference, String format) throws Exception {
        Path path = Path.of(FormatSamplesTest.class.getResource("/parquet/" + file).toURI());
        assertSame(path, format, reference, 4);
    }

    @Test
    void dictionaryEncodedParquetReadsRowByRow() throws Exception {
        Path path = Path.of(FormatSamplesTest.class.getResource("/parquet/ultrafeedback-x25.duckdb-zstd.parquet").toURI());
        List<PreferenceExample> want = parse(Fixtures.DATA.resolve("ultrafeedback.jsonl")).examples();
        List<PreferenceExample> got = parse(path).examples();
        assertEquals(100, got.size());
        for (int i = 0; i < got.size(); i++) {
            assertEquals(want.get(i % want.size()), got.get(i), "row " + (i + 1));
        }
    }

    private static void assertSame(String file, String format, String reference, int rows) throws Exception {
        assertSame(Fixtures.DATA.resolve(file), format, reference, rows);
    }

    private static void assertSame(Path path, String format, String reference, int rows) throws Exception {
        String file = path.getFileName().toString();
        ParsedFile parsed = parse(path);
        assertEquals(format, parsed.format().id(), "detected format of " + file);
        assertEquals(rows, parsed.examples().size());
        assertEquals(parse(Fixtures.DATA.resolve(reference)).examples(), parsed.examples(), file);

        DataOptions keepOrder = DataOptions.defaults().withSplit(0, 0, false);
        PairEncoder encoder = new PairEncoder(Fixtures.tokenizer());
        PreparedDataset got = new PreferenceDataset(encoder, keepOrder).load(path);
        PreparedDataset want = new PreferenceDataset(encoder, keepOrder).load(Fixtures.DATA.resolve(reference));
        assertTrue(got.report().clean(), () -> got.report().entries().toString());
        assertEquals(rows, got.train().size());
        for (int i = 0; i < rows; i++) {
            EncodedPair a = got.train().get(i);
            EncodedPair b = want.train().get(i);
            assertArrayEquals(b.promptIds(), a.promptIds());
            assertArrayEquals(b.chosenIds(), a.chosenIds());
            assertArrayEquals(b.rejectedIds(), a.rejectedIds());
        }
    }

    record ParsedFile(DataFormat format, List<PreferenceExample> examples) { }

    /** Rows of a file, each normalized with the detected format; source lines are reset so files compare by content. */
    static ParsedFile parse(Path file) throws Exception {
        List<PreferenceExample> examples = new ArrayList<>();
        Optional<DataFormat> format = Optional.empty();
        try (RowSource rows = RowSources.open(file, RowSources.DEFAULT_MAX_LINE_BYTES)) {
            for (RawRow row = rows.next(); row != null; row = rows.next()) {
                RawRow current = row;
                assertEquals(null, current.error(), () -> file + " row " + current.line());
                if (format.isEmpty()) {
                    format = DataFormat.detect(row.object());
                }
                examples.add(format.orElseThrow().parse(row.object(), row.line()).withSourceLine(0));
            }
        }
        return new ParsedFile(format.orElseThrow(), examples);
    }
}
