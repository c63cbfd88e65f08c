package dev.jdpo.tokenizer.pipeline;

import dev.jdpo.tokenizer.data.DataFormat;
import dev.jdpo.tokenizer.data.ErrorCode;
import dev.jdpo.tokenizer.data.InvalidRowException;
import dev.jdpo.tokenizer.data.PreferenceExample;
import dev.jdpo.tokenizer.io.RawRow;
import dev.jdpo.tokenizer.text.PairTokenizer.TokenIds;
import java.util.Optional;

/**
 * The per-row pipeline of one pass: detect the format, parse, tokenize, truncate, drop duplicates, and account for
 * everything in the report. The format is fixed by the first row that parses with the format its fields suggest,
 * so one odd leading row cannot make every later row fail. Not thread-safe: one per pass.
 */
public final class RowProcessor {

    private final PairEncoder encoder;
    private final DataOptions options;
    private final ReportBuilder report;
    private final DuplicateFilter duplicates = new DuplicateFilter();
    private Optional<DataFormat> format;
    private boolean stopped;

    public RowProcessor(PairEncoder encoder, DataOptions options) {
        this.encoder = encoder;
        this.options = options;
        this.report = new ReportBuilder(options.maxReportEntries());
        this.format = options.format();
        format.ifPresent(f -> report.format(f.id()));
    }

    /** What became of one row: a pair, a report entry, or neither (an exact duplicate, counted in the report). */
    public record Outcome(EncodedPair pair, ReportEntry entry) { }

    /** Processes one row; after a bad row under FAIL policy, {@link #stopped()} is true and no further row is taken. */
    public Outcome process(RawRow row) {
        if (stopped) {
            throw new IllegalStateException("the pass stopped at the first bad row (FAIL policy)");
        }
        report.rowRead();
        try {
            if (row.error() != null) {
                throw row.error();
            }
            DataFormat rowFormat = formatOf(row);
            PreferenceExample example = rowFormat.parse(row.object(), row.line());
            if (format.isEmpty()) {
                format = Optional.of(rowFormat);
                report.format(rowFormat.id());
            }
            TokenIds ids = encoder.encode(example, rowFormat);
            Truncation.Result cut = Truncation.apply(ids, options, rowFormat.promptField());
            TokenIds kept = cut.ids();
            byte[] digest = ContentHash.digest(kept.promptIds(), kept.chosenIds(), kept.rejectedIds());
            if (options.removeDuplicates() && !duplicates.add(digest)) {
                report.duplicate();
                return new Outcome(null, null);
            }
            report.pair(cut.truncated());
            return new Outcome(new EncodedPair(row.line(), kept.promptIds(), kept.chosenIds(), kept.rejectedIds(),
                    cut.truncated()), null);
        } catch (InvalidRowException e) {
            ReportEntry entry = new ReportEntry(row.line(), e.field(), e.code(), e.getMessage());
            report.bad(entry);
            if (options.policy() == BadLinePolicy.FAIL) {
                stopped = true;
                report.stoppedEarly();
            }
            return new Outcome(null, entry);
        }
    }

    public boolean stopped() {
        return stopped;
    }

    /** The report so far (split sizes zero). */
    public ValidationReport report() {
        return report.build();
    }

    private DataFormat formatOf(RawRow row) throws InvalidRowException {
        if (format.isPresent()) {
            return format.get();
        }
        return DataFormat.detect(row.object()).orElseThrow(() -> new InvalidRowException(
                ErrorCode.UNRECOGNIZED_FORMAT, "", "row has none of the fields of a known format "
                + "(input/preferred_output, prompt/chosen/rejected, chosen/rejected, question, messages, "
                + "prompt/completion)"));
    }
}
