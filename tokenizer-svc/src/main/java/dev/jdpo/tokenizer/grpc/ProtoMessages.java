package dev.jdpo.tokenizer.grpc;

import dev.jdpo.proto.internal.v1.ReportEntry;
import dev.jdpo.proto.internal.v1.Split;
import dev.jdpo.proto.internal.v1.SplitPair;
import dev.jdpo.proto.internal.v1.TokenizedPair;
import dev.jdpo.proto.internal.v1.ValidationReport;
import dev.jdpo.tokenizer.data.DataFormat;
import dev.jdpo.tokenizer.pipeline.BadLinePolicy;
import dev.jdpo.tokenizer.pipeline.DataOptions;
import dev.jdpo.tokenizer.pipeline.EncodedPair;
import dev.jdpo.tokenizer.pipeline.TruncationMode;
import java.util.Arrays;

/** Conversions between the pipeline's Java types and the jdpo.internal.v1 tokenizer messages. */
public final class ProtoMessages {

    private ProtoMessages() {
    }

    /** Options from the wire; zero values take {@link DataOptions#defaults()}. Bad values throw IllegalArgumentException. */
    public static DataOptions options(dev.jdpo.proto.internal.v1.DataOptions p) {
        DataOptions d = DataOptions.defaults();
        TruncationMode mode = p.getTruncationMode() == dev.jdpo.proto.internal.v1.TruncationMode.TRUNCATION_MODE_KEEP_START
                ? TruncationMode.KEEP_START : TruncationMode.KEEP_END;
        BadLinePolicy policy = p.getBadLinePolicy() == dev.jdpo.proto.internal.v1.BadLinePolicy.BAD_LINE_POLICY_SKIP
                ? BadLinePolicy.SKIP : BadLinePolicy.FAIL;
        if (p.getMaxLineBytes() < 0 || p.getMaxLineBytes() > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("options.max_line_bytes must be between 0 and 2 GiB");
        }
        return d.withFormat(DataFormat.fromId(p.getFormat()))
                .withLengths(p.getMaxLength(), p.getMaxPromptLength(), mode)
                .withPolicy(policy)
                .withSplit(p.getSeed(), p.getValidationRatio(), !p.getNoShuffle())
                .withRemoveDuplicates(!p.getKeepDuplicates())
                .withMaxLineBytes(p.getMaxLineBytes() == 0 ? d.maxLineBytes() : (int) p.getMaxLineBytes());
    }

    public static TokenizedPair pair(EncodedPair pair, long index) {
        return TokenizedPair.newBuilder()
                .setIndex(index)
                .setSourceLine(pair.sourceLine())
                .addAllPromptIds(Arrays.stream(pair.promptIds()).boxed().toList())
                .addAllChosenIds(Arrays.stream(pair.chosenIds()).boxed().toList())
                .addAllRejectedIds(Arrays.stream(pair.rejectedIds()).boxed().toList())
                .build();
    }

    public static SplitPair splitPair(EncodedPair pair, long index, Split split) {
        return SplitPair.newBuilder().setPair(pair(pair, index)).setSplit(split).setTruncated(pair.truncated()).build();
    }

    public static ReportEntry entry(dev.jdpo.tokenizer.pipeline.ReportEntry e) {
        return ReportEntry.newBuilder().setLine(e.line()).setField(e.field()).setCode(e.code().name())
                .setMessage(e.message()).build();
    }

    public static ValidationReport report(dev.jdpo.tokenizer.pipeline.ValidationReport r) {
        ValidationReport.Builder b = ValidationReport.newBuilder()
                .setFormat(r.format())
                .setRowsRead(r.rowsRead())
                .setPairs(r.pairs())
                .setBadRows(r.badRows())
                .setTruncatedPairs(r.truncatedPairs())
                .setDroppedPairs(r.droppedPairs())
                .setDuplicatesRemoved(r.duplicatesRemoved())
                .setTrainPairs(r.trainPairs())
                .setValidationPairs(r.validationPairs())
                .setStoppedEarly(r.stoppedEarly())
                .setEntriesOmitted(r.entriesOmitted());
        r.errorCounts().forEach((code, n) -> b.putErrorCounts(code.name(), n));
        r.entries().forEach(e -> b.addEntries(entry(e)));
        return b.build();
    }
}
