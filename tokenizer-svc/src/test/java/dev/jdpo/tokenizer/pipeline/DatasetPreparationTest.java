package dev.jdpo.tokenizer.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdpo.tokenizer.Fixtures;
import dev.jdpo.tokenizer.data.DataFormat;
import dev.jdpo.tokenizer.data.ErrorCode;
import dev.jdpo.tokenizer.data.InvalidRowException;
import dev.jdpo.tokenizer.text.PairTokenizer.TokenIds;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Truncation, duplicate removal, deterministic shuffle and the train/validation split. */
class DatasetPreparationTest {

    private static final TokenIds IDS = new TokenIds(new int[] {1, 2, 3, 4, 5, 6}, new int[] {7, 8, 9},
            new int[] {10, 11});

    @Test
    void promptKeepEndKeepsTheLastTokens() throws Exception {
        Truncation.Result r = Truncation.apply(IDS, DataOptions.defaults().withLengths(0, 4, TruncationMode.KEEP_END), "prompt");
        assertArrayEquals(new int[] {3, 4, 5, 6}, r.ids().promptIds());
        assertTrue(r.truncated());
    }

    @Test
    void promptKeepStartKeepsTheFirstTokens() throws Exception {
        Truncation.Result r = Truncation.apply(IDS, DataOptions.defaults().withLengths(0, 4, TruncationMode.KEEP_START), "prompt");
        assertArrayEquals(new int[] {1, 2, 3, 4}, r.ids().promptIds());
    }

    @Test
    void maxLengthCutsCompletionsToTheRoomLeft() throws Exception {
        Truncation.Result r = Truncation.apply(IDS, DataOptions.defaults().withLengths(8, 0, TruncationMode.KEEP_END), "prompt");
        assertArrayEquals(new int[] {7, 8}, r.ids().chosenIds());
        assertArrayEquals(new int[] {10, 11}, r.ids().rejectedIds());
        assertTrue(r.truncated());
        Truncation.Result fits = Truncation.apply(IDS, DataOptions.defaults().withLengths(9, 0, TruncationMode.KEEP_END), "prompt");
        assertEquals(false, fits.truncated());
    }

    @Test
    void promptThatFillsMaxLengthIsRejected() {
        InvalidRowException e = assertThrows(InvalidRowException.class, () -> Truncation.apply(IDS,
                DataOptions.defaults().withLengths(6, 0, TruncationMode.KEEP_END), "input.messages"));
        assertEquals(ErrorCode.PROMPT_TOO_LONG, e.code());
        assertEquals("input.messages", e.field());
    }

    @Test
    void duplicatesAreRemovedAndCounted(@TempDir Path dir) throws Exception {
        List<String> lines = Files.readAllLines(Fixtures.DATA.resolve("trl-standard.jsonl"));
        List<String> doubled = new ArrayList<>(lines);
        doubled.addAll(lines);
        doubled.add(lines.get(0));
        Path file = dir.resolve("dups.jsonl");
        Files.write(file, doubled);
        PreparedDataset data = dataset(DataOptions.defaults()).load(file);
        assertEquals(lines.size(), data.train().size());
        assertEquals(lines.size() + 1, data.report().duplicatesRemoved());
        PreparedDataset kept = dataset(DataOptions.defaults().withRemoveDuplicates(false)).load(file);
        assertEquals(doubled.size(), kept.train().size());
    }

    @Test
    void shuffleIsDeterministicPerSeedAndSplitHoldsOutTheRatio() throws Exception {
        Path file = Fixtures.DATA.resolve("quickstart.jsonl");
        PreparedDataset a = dataset(DataOptions.defaults().withSplit(3, 0.1, true)).load(file);
        PreparedDataset b = dataset(DataOptions.defaults().withSplit(3, 0.1, true)).load(file);
        PreparedDataset c = dataset(DataOptions.defaults().withSplit(4, 0.1, true)).load(file);
        assertEquals(lines(a.train()), lines(b.train()));
        assertNotEquals(lines(a.train()), lines(c.train()));
        assertEquals(6, a.validation().size());
        assertEquals(58, a.train().size());
        assertEquals(58, a.report().trainPairs());
        PreparedDataset ordered = dataset(DataOptions.defaults().withSplit(3, 0, false)).load(file);
        List<Long> expected = new ArrayList<>();
        for (long i = 1; i <= 64; i++) {
            expected.add(i);
        }
        assertEquals(expected, lines(ordered.train()));
    }

    @Test
    void truncationAndDropsAreCountedInTheReport(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("long.jsonl");
        Files.writeString(file, "{\"prompt\": \"" + "tree ".repeat(50) + "\", \"chosen\": \" yes\", \"rejected\": \" no\"}\n"
                + "{\"prompt\": \"Is it?\", \"chosen\": \"" + " yes".repeat(40) + "\", \"rejected\": \" no\"}\n"
                + "{\"prompt\": \"Ok?\", \"chosen\": \" yes\", \"rejected\": \" no\"}\n");
        DataOptions options = DataOptions.defaults().withPolicy(BadLinePolicy.SKIP)
                .withLengths(20, 0, TruncationMode.KEEP_END).withFormat(Optional.of(DataFormat.TRL_STANDARD));
        PreparedDataset data = dataset(options).load(file);
        ValidationReport r = data.report();
        assertEquals(1, r.droppedPairs());
        assertEquals(ErrorCode.PROMPT_TOO_LONG, r.entries().get(0).code());
        assertEquals(1, r.entries().get(0).line());
        assertEquals(1, r.truncatedPairs());
        assertEquals(2, r.pairs());
        EncodedPair cut = data.train().stream().filter(p -> p.sourceLine() == 2).findFirst().orElseThrow();
        assertEquals(20, cut.promptIds().length + cut.chosenIds().length);
        assertTrue(cut.truncated());
    }

    @Test
    void anOddFirstRowDoesNotFixTheFormatForTheFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("odd-first.jsonl");
        List<String> lines = new ArrayList<>();
        lines.add("{\"prompt\": [\"not\", \"messages\"], \"chosen\": \" a\", \"rejected\": \" b\"}");
        lines.addAll(Files.readAllLines(Fixtures.DATA.resolve("trl-standard.jsonl")));
        Files.write(file, lines);
        ValidationReport r = dataset(DataOptions.defaults().withPolicy(BadLinePolicy.SKIP)).validate(file, e -> { });
        assertEquals("trl-standard", r.format());
        assertEquals(1, r.badRows());
        assertEquals(4, r.pairs());
    }

    @Test
    void duplicateFilterSurvivesGrowth() {
        DuplicateFilter filter = new DuplicateFilter();
        for (int i = 0; i < 10_000; i++) {
            assertTrue(filter.add(ContentHash.digest(new int[] {i}, new int[0], new int[0])));
        }
        for (int i = 0; i < 10_000; i++) {
            assertEquals(false, filter.add(ContentHash.digest(new int[] {i}, new int[0], new int[0])));
        }
    }

    @Test
    void contentHashCoversListBoundaries() {
        assertFalse(java.util.Arrays.equals(ContentHash.digest(new int[] {1, 2}, new int[] {3}, new int[0]),
                ContentHash.digest(new int[] {1}, new int[] {2, 3}, new int[0])));
        assertEquals(32, ContentHash.digest(new int[] {1}, new int[] {2}, new int[] {3}).length);
    }

    private static PreferenceDataset dataset(DataOptions options) throws Exception {
        return new PreferenceDataset(new PairEncoder(Fixtures.tokenizer()), options);
    }

    private static List<Long> lines(List<EncodedPair> pairs) {
        return pairs.stream().map(EncodedPair::sourceLine).toList();
    }
}
