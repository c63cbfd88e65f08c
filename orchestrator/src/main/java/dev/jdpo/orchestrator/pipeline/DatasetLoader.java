package dev.jdpo.orchestrator.pipeline;

import dev.jdpo.orchestrator.run.RunFailure;
import dev.jdpo.orchestrator.run.RunReporter;
import dev.jdpo.proto.v1.DataConfig;
import dev.jdpo.proto.v1.RunConfig;
import dev.jdpo.tokenizer.data.DataFormat;
import dev.jdpo.tokenizer.io.DataFileException;
import dev.jdpo.tokenizer.pipeline.DataOptions;
import dev.jdpo.tokenizer.pipeline.EncodedPair;
import dev.jdpo.tokenizer.pipeline.InvalidDataException;
import dev.jdpo.tokenizer.pipeline.PairEncoder;
import dev.jdpo.tokenizer.pipeline.PreferenceDataset;
import dev.jdpo.tokenizer.pipeline.PreparedDataset;
import dev.jdpo.tokenizer.pipeline.ValidationReport;
import dev.jdpo.tokenizer.pipeline.TruncationMode;
import dev.jdpo.tokenizer.text.TextTokenizer;
import dev.jdpo.tokenizer.text.TokenizerLoadException;
import java.nio.file.Path;
import java.util.List;

/** Reads, checks, tokenizes, shuffles and splits a run's preference data with the policy's tokenizer. */
final class DatasetLoader {

    /** Tokenized training and validation pairs, and the tokenizer's padding id. */
    record Split(List<EncodedPair> training, List<EncodedPair> validation, int padId) {
    }

    private DatasetLoader() {
    }

    /** Loads the data, reporting truncation and duplicates as warnings; bad rows fail the run. */
    static Split load(RunConfig config, RunReporter reporter) throws RunFailure {
        DataConfig data = config.getData();
        try (TextTokenizer tokenizer = TextTokenizer.load(Path.of(config.getModel().getPolicy()))) {
            PairEncoder encoder = new PairEncoder(tokenizer);
            boolean separateValidation = !data.getValidationFile().isEmpty();
            DataOptions options = options(config, separateValidation ? 0 : data.getValidationSplit());
            PreparedDataset training = load(encoder, options, data.getTrainingFile(), "data.training_file", reporter);
            if (!separateValidation) {
                return new Split(training.train(), training.validation(), tokenizer.specialTokens().padId());
            }
            PreparedDataset validation = load(encoder, options, data.getValidationFile(), "data.validation_file",
                    reporter);
            return new Split(training.train(), validation.train(), tokenizer.specialTokens().padId());
        } catch (TokenizerLoadException unreadable) {
            throw new RunFailure("invalid_model", "model.policy: cannot load its tokenizer: " + unreadable.getMessage(),
                    "model.policy");
        }
    }

    private static PreparedDataset load(PairEncoder encoder, DataOptions options, String file, String field,
                                        RunReporter reporter) throws RunFailure {
        try {
            PreparedDataset dataset = new PreferenceDataset(encoder, options).load(Path.of(file));
            warnAbout(dataset.report(), file, reporter);
            if (dataset.train().isEmpty()) {
                throw new RunFailure("invalid_" + field.substring(field.indexOf('.') + 1), file
                        + " holds no usable preference pair", field);
            }
            return dataset;
        } catch (InvalidDataException bad) {
            throw new RunFailure("invalid_" + field.substring(field.indexOf('.') + 1),
                    file + ": " + bad.entry().describe(), field);
        } catch (DataFileException unreadable) {
            throw new RunFailure("invalid_" + field.substring(field.indexOf('.') + 1), unreadable.getMessage(), field);
        }
    }

    private static void warnAbout(ValidationReport report, String file, RunReporter reporter) {
        reporter.info(file + ": " + report.pairs() + " pairs in " + report.rowsRead() + " rows, format "
                + report.format());
        if (report.truncatedPairs() > 0) {
            reporter.warn(file + ": " + report.truncatedPairs() + " pairs truncated to the token limits");
        }
        if (report.droppedPairs() > 0) {
            reporter.warn(file + ": " + report.droppedPairs() + " pairs dropped: the prompt left no room");
        }
        if (report.duplicatesRemoved() > 0) {
            reporter.warn(file + ": " + report.duplicatesRemoved() + " duplicate pairs removed");
        }
    }

    private static DataOptions options(RunConfig config, double validationSplit) {
        return DataOptions.defaults()
                .withFormat(DataFormat.fromId(config.getData().getFormat()))
                .withLengths(config.getTraining().getMaxLength(), config.getTraining().getMaxPromptLength(),
                        TruncationMode.KEEP_END)
                .withSplit(config.getTraining().getSeed(), validationSplit, true);
    }
}
