package dev.jdpo.tokenizer.pipeline;

import dev.jdpo.tokenizer.io.DataFileException;
import dev.jdpo.tokenizer.io.RawRow;
import dev.jdpo.tokenizer.io.RowSource;
import dev.jdpo.tokenizer.io.RowSources;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/** Reads a preference data file in one streaming pass: validation only, or tokenized pairs shuffled and split. */
public final class PreferenceDataset {

    private final PairEncoder encoder;
    private final DataOptions options;
    private final CancelSignal cancel;
    private final LongConsumer rowsRead;

    public PreferenceDataset(PairEncoder encoder, DataOptions options) {
        this(encoder, options, CancelSignal.NEVER);
    }

    /** A dataset whose passes stop with a {@link CancellationException} at the first row after {@code cancel} fires. */
    public PreferenceDataset(PairEncoder encoder, DataOptions options, CancelSignal cancel) {
        this(encoder, options, cancel, rows -> { });
    }

    /**
     * As above; {@code rowsRead} hears the count of rows read after every row, for progress reports (it should
     * be cheap: it runs on the reading thread).
     */
    public PreferenceDataset(PairEncoder encoder, DataOptions options, CancelSignal cancel, LongConsumer rowsRead) {
        this.encoder = encoder;
        this.options = options;
        this.cancel = cancel;
        this.rowsRead = rowsRead;
    }

    /**
     * Validates {@code file} holding no pairs in memory; every entry also goes to {@code onEntry} as it is found
     * (the report keeps at most {@link DataOptions#maxReportEntries()}).
     */
    public ValidationReport validate(Path file, Consumer<ReportEntry> onEntry) throws DataFileException {
        return pass(file, pair -> { }, onEntry);
    }

    /**
     * Tokenizes {@code file}, then shuffles and splits the pairs. Under FAIL policy the first bad row throws;
     * under SKIP bad rows are left out and listed in the report.
     */
    public PreparedDataset load(Path file) throws DataFileException, InvalidDataException {
        List<EncodedPair> pairs = new ArrayList<>();
        ValidationReport report = stream(file, pairs::add);
        List<EncodedPair> ordered = options.shuffle() ? ShuffleSplit.shuffle(pairs, options.seed()) : pairs;
        int held = ShuffleSplit.validationSize(ordered.size(), options.validationRatio());
        List<EncodedPair> train = ordered.subList(0, ordered.size() - held);
        List<EncodedPair> validation = ordered.subList(ordered.size() - held, ordered.size());
        return new PreparedDataset(train, validation, report.withSplit(train.size(), validation.size()));
    }

    /**
     * Tokenizes {@code file}, handing each pair to {@code onPair} in file order as it is made and holding none, so
     * memory stays bounded whatever the file's size; the caller shuffles and splits ({@link ShuffleSplit}). Under
     * FAIL policy the first bad row throws, after the pairs before it were handed on.
     */
    public ValidationReport stream(Path file, Consumer<EncodedPair> onPair)
            throws DataFileException, InvalidDataException {
        List<ReportEntry> firstBad = new ArrayList<>(1);
        ValidationReport report = pass(file, onPair, entry -> {
            if (firstBad.isEmpty()) {
                firstBad.add(entry);
            }
        });
        if (report.stoppedEarly()) {
            throw new InvalidDataException(file.toString(), firstBad.get(0), report);
        }
        return report;
    }

    private ValidationReport pass(Path file, Consumer<EncodedPair> onPair, Consumer<ReportEntry> onEntry)
            throws DataFileException {
        RowProcessor processor = new RowProcessor(encoder, options);
        long rows = 0;
        try (RowSource source = RowSources.open(file, options.maxLineBytes())) {
            for (RawRow row = source.next(); row != null; row = source.next()) {
                if (cancel.cancelled()) {
                    throw new CancellationException(file + ": the pass was cancelled after "
                            + processor.report().rowsRead() + " rows");
                }
                RowProcessor.Outcome outcome = processor.process(row);
                if (outcome.pair() != null) {
                    onPair.accept(outcome.pair());
                }
                if (outcome.entry() != null) {
                    onEntry.accept(outcome.entry());
                }
                rowsRead.accept(++rows);
                if (processor.stopped()) {
                    break;
                }
            }
        }
        return processor.report();
    }
}
