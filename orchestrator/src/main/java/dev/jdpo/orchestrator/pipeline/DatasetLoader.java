package dev.jdpo.orchestrator.pipeline;

import dev.jdpo.orchestrator.run.RunFailure;
import dev.jdpo.orchestrator.run.RunReporter;
import dev.jdpo.proto.internal.v1.DataOptions;
import dev.jdpo.proto.internal.v1.SplitPair;
import dev.jdpo.proto.internal.v1.TokenizeDatasetRequest;
import dev.jdpo.proto.internal.v1.TokenizeResponse;
import dev.jdpo.proto.internal.v1.TokenizedPair;
import dev.jdpo.proto.internal.v1.TokenizerServiceGrpc;
import dev.jdpo.proto.internal.v1.ValidationReport;
import dev.jdpo.proto.v1.DataConfig;
import dev.jdpo.proto.v1.RunConfig;
import dev.jdpo.tokenizer.data.DataFormat;
import dev.jdpo.tokenizer.pipeline.EncodedPair;
import dev.jdpo.trainer.config.TrainingMethod;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Reads, checks, tokenizes, shuffles and splits a run's preference data through {@code TokenizerService} with
 * the policy's tokenizer, into lists ({@link #load}) or a run's store ({@link #store}). Pairs stream in as the client
 * reads them (gRPC flow control); a tokenizer that went
 * away (unreachable, or stopped mid-read) is retried from the start of the file. A stop request (cancel,
 * shutdown) cancels the call within {@link ServiceRetries#STOP_POLL_MILLIS}, which stops the tokenizer's work too.
 */
final class DatasetLoader {

    // one daemon thread polls the stop flags of every loading run; the work it does is a volatile read
    private static final ScheduledExecutorService STOP_POLLER = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "jdpo-dataset-stop-poller");
        thread.setDaemon(true);
        return thread;
    });

    /** Tokenized training and validation pairs. */
    record Pairs(List<EncodedPair> training, List<EncodedPair> validation) {
    }

    private final ManagedChannel channel;
    private final String target;
    private final ServiceRetries retries;

    /** @param target where the tokenizer runs, for messages ("in-process" or host:port) */
    DatasetLoader(ManagedChannel channel, String target, ServiceRetries retries) {
        this.channel = channel;
        this.target = target;
        this.retries = retries;
    }

    /**
     * Loads the data, reporting truncation and duplicates as warnings; bad rows fail the run.
     *
     * @return empty when a stop was requested before the data was read
     */
    Optional<Pairs> load(RunConfig config, RunReporter reporter) throws RunFailure, InterruptedException {
        DataConfig data = config.getData();
        DataOptions options = options(config);
        HeldPairs training = new HeldPairs();
        if (!read(config, options, data.getTrainingFile(), "data.training_file", reporter, reporter::stopRequested,
                training)) {
            return Optional.empty();
        }
        HeldPairs validation = new HeldPairs();
        if (!data.getValidationFile().isEmpty()) {
            requireTraining(training.pairs.isEmpty(), data.getTrainingFile(), "data.training_file");
            if (!read(config, options, data.getValidationFile(), "data.validation_file", reporter,
                    reporter::stopRequested, validation)) {
                return Optional.empty();
            }
            requireTraining(validation.pairs.isEmpty(), data.getValidationFile(), "data.validation_file");
        }
        DatasetOrder order = order(config, training.pairs.size(), validation.pairs.size());
        requireTraining(order.trainingSize() == 0, data.getTrainingFile(), "data.training_file");
        List<EncodedPair> all = new ArrayList<>(training.pairs);
        all.addAll(validation.pairs);
        List<EncodedPair> ordered = new ArrayList<>(all.size());
        for (int record : order.order()) {
            ordered.add(all.get(record));
        }
        return Optional.of(new Pairs(ordered.subList(0, order.trainingSize()),
                ordered.subList(order.trainingSize(), ordered.size())));
    }

    /**
     * Streams the data into a run's store as the tokenizer reads it, in file order, holding no pair; the store's
     * order is {@link DatasetOrder}'s, as for {@link #load}.
     *
     * @return empty when a stop was requested before the data was read
     */
    Optional<PairStore> store(RunConfig config, RunReporter reporter, PairStore.Writer writer)
            throws RunFailure, InterruptedException, IOException {
        DataConfig data = config.getData();
        DataOptions options = options(config);
        if (!read(config, options, data.getTrainingFile(), "data.training_file", reporter, reporter::stopRequested,
                new StoredPairs(writer, reporter::stopRequested))) {
            return Optional.empty();
        }
        int records = writer.records();
        int validation = 0;
        if (!data.getValidationFile().isEmpty()) {
            requireTraining(records == 0, data.getTrainingFile(), "data.training_file");
            if (!read(config, options, data.getValidationFile(), "data.validation_file", reporter,
                    reporter::stopRequested, new StoredPairs(writer, reporter::stopRequested))) {
                return Optional.empty();
            }
            validation = writer.records() - records;
            requireTraining(validation == 0, data.getValidationFile(), "data.validation_file");
        }
        DatasetOrder order = order(config, records, validation);
        requireTraining(order.trainingSize() == 0, data.getTrainingFile(), "data.training_file");
        return Optional.of(writer.finish(order.order(), order.trainingSize(), DatasetOrder.window(data)));
    }

    /**
     * Writes the training file into {@code writer}'s store in file order while the run reads it
     * ({@link PairStore.Writer#inFileOrder}), then completes it; {@code stop} ends the read early, leaving it
     * incomplete.
     *
     * @param rows the rows counted up front: each must become a pair, since the trainer counts on that many
     */
    void fill(RunConfig config, RunReporter reporter, BooleanSupplier stop, PairStore.Writer writer, int rows,
              String fingerprint) throws RunFailure, InterruptedException, IOException {
        String file = config.getData().getTrainingFile();
        if (!read(config, options(config), file, "data.training_file", reporter, stop,
                new StoredPairs(writer, stop))) {
            return;
        }
        if (writer.records() != rows) {
            throw new RunFailure("invalid_training_file", file + ": " + rows + " rows counted but " + writer.records()
                    + " pairs tokenized (duplicates or dropped pairs, see the warnings); the run trained from the "
                    + "first rows before the file was read, counting on one pair a row: remove those rows, or set "
                    + "data.shuffle_window to at least " + rows + " to train after the whole file is read",
                    "data.training_file");
        }
        writer.finishInFileOrder(rows, fingerprint);
    }

    /** The dataset order of a run's pairs: the training file's records, then the validation file's. */
    static DatasetOrder order(RunConfig config, int records, int validationRecords) {
        DataConfig data = config.getData();
        return DatasetOrder.of(records, validationRecords, data.getValidationSplit(),
                config.getTraining().getSeed(), DatasetOrder.window(data));
    }

    private static void requireTraining(boolean none, String file, String field) throws RunFailure {
        if (none) {
            throw new RunFailure(code(field), file + " holds no usable preference pair", field);
        }
    }

    /** Where the pairs of one read go; a read the tokenizer starts again from the first row restarts it first. */
    private interface PairSink {

        void restart();

        void add(SplitPair pair) throws IOException, InterruptedException;
    }

    private static final class HeldPairs implements PairSink {
        private final List<EncodedPair> pairs = new ArrayList<>();

        @Override
        public void restart() {
            pairs.clear();
        }

        @Override
        public void add(SplitPair pair) {
            pairs.add(encoded(pair));
        }
    }

    /**
     * A read started again keeps what the store holds of the file and skips as many pairs of the new read: the
     * tokenizer gives the same pairs in the same order, and a run training while the store fills may be reading
     * them (dropping them under it failed that read).
     */
    private static final class StoredPairs implements PairSink {
        private final PairStore.Writer writer;
        private final BooleanSupplier stop;
        private final int start;
        private int kept;
        private int seen;

        /** @param stop ends a wait for the store's readers ({@link PairStore.Writer#awaitReaders}) */
        StoredPairs(PairStore.Writer writer, BooleanSupplier stop) {
            this.writer = writer;
            this.stop = stop;
            this.start = writer.records();
        }

        @Override
        public void restart() {
            kept = writer.records() - start;
            seen = 0;
        }

        @Override
        public void add(SplitPair pair) throws IOException, InterruptedException {
            if (seen++ < kept) {
                return;
            }
            writer.add(encoded(pair));
            writer.awaitReaders(stop);
        }
    }

    /** Reads one file into {@code sink}; false when a stop was requested. */
    private boolean read(RunConfig config, DataOptions options, String file, String field, RunReporter reporter,
                         BooleanSupplier stop, PairSink sink) throws RunFailure, InterruptedException {
        TokenizeDatasetRequest request = TokenizeDatasetRequest.newBuilder()
                .setModelDir(config.getModel().getPolicy()).setDatasetPath(file).setOptions(options).build();
        for (int retry = 1; ; retry++) {
            boolean answered = false;
            Context.CancellableContext call = Context.current().withCancellation();
            ScheduledFuture<?> stopWatch = STOP_POLLER.scheduleWithFixedDelay(() -> {
                if (stop.getAsBoolean()) {
                    call.cancel(null);
                }
            }, ServiceRetries.STOP_POLL_MILLIS, ServiceRetries.STOP_POLL_MILLIS, TimeUnit.MILLISECONDS);
            Context previous = call.attach();
            try {
                sink.restart();
                Iterator<TokenizeResponse> responses = TokenizerServiceGrpc.newBlockingStub(channel)
                        .tokenizeDataset(request);
                while (responses.hasNext()) {
                    TokenizeResponse response = responses.next();
                    answered = true;
                    if (response.hasProgress()) {
                        reporter.info(file + ": " + response.getProgress().getRowsRead() + " rows read");
                        continue;
                    }
                    if (response.hasPair()) {
                        sink.add(response.getPair());
                    } else if (response.hasReport()) {
                        warnAbout(response.getReport(), file, reporter);
                        requirePairsUnlessSft(config, response.getReport().getFormat(), file, field);
                        return true;
                    }
                }
                throw new RunFailure("service_unavailable", "the tokenizer service at " + target
                        + " ended " + file + " without its report", "");
            } catch (IOException unwritable) {
                throw new RunFailure("internal", "storing the tokenized pairs of " + file + " failed: "
                        + unwritable.getMessage(), "");
            } catch (StatusRuntimeException failed) {
                if (stop.getAsBoolean()) {
                    return false;
                }
                Status status = failed.getStatus();
                // a retry reads the file again from its first row, so a tokenizer lost mid-read loses nothing
                if (!ServiceRetries.wentAway(status)) {
                    throw failure(status, field);
                }
                String problem = status.getCode() + (status.getDescription() == null ? ""
                        : " " + status.getDescription());
                if (retry > retries.attempts()) {
                    throw new RunFailure("service_unavailable", "the tokenizer service at " + target
                            + " is unavailable after " + retry + " attempt(s): " + problem,
                            "services.tokenizer_address");
                }
                reporter.warn("the tokenizer service at " + target + (answered ? " went away while reading " + file
                        + " (" : " is unavailable (") + problem + "); retry " + retry + " of " + retries.attempts()
                        + " in " + retries.backoffBefore(retry) + " ms, reading the file again");
                if (retries.stoppedDuringBackoff(retry, stop)) {
                    return false;
                }
                channel.resetConnectBackoff();
            } finally {
                call.detach(previous);
                stopWatch.cancel(false);
                call.cancel(null);
            }
        }
    }

    private RunFailure failure(Status status, String field) {
        String message = status.getDescription() == null ? status.getCode().name() : status.getDescription();
        return switch (status.getCode()) {
            case INVALID_ARGUMENT, NOT_FOUND -> new RunFailure(code(field), message, field);
            case FAILED_PRECONDITION -> new RunFailure("invalid_model", "model.policy: cannot load its tokenizer: "
                    + message, "model.policy");
            default -> new RunFailure("tokenizer_error", "the tokenizer service at " + target + " failed: "
                    + status.getCode() + " " + message, "");
        };
    }

    /** SFT rows have no rejected completion: a preference run cannot train on them. */
    private static void requirePairsUnlessSft(RunConfig config, String format, String file, String field)
            throws RunFailure {
        boolean sftRows = DataFormat.fromId(format).map(DataFormat::sft).orElse(false);
        if (sftRows && !TrainingMethod.isSft(config.getTraining().getMethod())) {
            throw new RunFailure(code(field), file + " holds SFT rows (format " + format + ", no rejected answers); "
                    + "set training.method: sft, or give preference pairs", field);
        }
    }

    private static String code(String field) {
        return "invalid_" + field.substring(field.indexOf('.') + 1);
    }

    private static EncodedPair encoded(SplitPair split) {
        TokenizedPair pair = split.getPair();
        return new EncodedPair(pair.getSourceLine(), ints(pair.getPromptIdsList()), ints(pair.getChosenIdsList()),
                ints(pair.getRejectedIdsList()), split.getTruncated());
    }

    private static int[] ints(List<Integer> ids) {
        return ids.stream().mapToInt(Integer::intValue).toArray();
    }

    private static void warnAbout(ValidationReport report, String file, RunReporter reporter) {
        reporter.info(file + ": " + report.getPairs() + " pairs in " + report.getRowsRead() + " rows, format "
                + report.getFormat());
        if (report.getTruncatedPairs() > 0) {
            reporter.warn(file + ": " + report.getTruncatedPairs() + " pairs truncated to the token limits");
        }
        if (report.getDroppedPairs() > 0) {
            reporter.warn(file + ": " + report.getDroppedPairs() + " pairs dropped: the prompt left no room");
        }
        if (report.getDuplicatesRemoved() > 0) {
            reporter.warn(file + ": " + report.getDuplicatesRemoved() + " duplicate pairs removed");
        }
    }

    /** Every pair in file order, unsplit: the run orders and splits them ({@link DatasetOrder}). */
    private static DataOptions options(RunConfig config) {
        return DataOptions.newBuilder()
                .setFileOrder(true)
                .setFormat(config.getData().getFormat())
                .setMaxLength(config.getTraining().getMaxLength())
                .setMaxPromptLength(config.getTraining().getMaxPromptLength())
                .build();
    }
}
