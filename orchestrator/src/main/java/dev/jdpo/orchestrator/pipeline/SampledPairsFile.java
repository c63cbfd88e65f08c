package dev.jdpo.orchestrator.pipeline;

import dev.jdpo.evaluation.TextGenerator;
import dev.jdpo.evaluation.criteria.Checker;
import dev.jdpo.evaluation.criteria.Criteria;
import dev.jdpo.evaluation.criteria.CriteriaFileReader;
import dev.jdpo.evaluation.criteria.InvalidCriteriaException;
import dev.jdpo.evaluation.pairs.PairSampler;
import dev.jdpo.evaluation.pairs.PreferenceLines;
import dev.jdpo.evaluation.pairs.SampledPair;
import dev.jdpo.evaluation.pairs.SampledPairs;
import dev.jdpo.evaluation.prompts.InvalidPromptException;
import dev.jdpo.evaluation.prompts.PromptFile;
import dev.jdpo.evaluation.prompts.PromptRow;
import dev.jdpo.model.CausalLM;
import dev.jdpo.model.ModelLoadException;
import dev.jdpo.model.generate.GenerationOptions;
import dev.jdpo.orchestrator.run.RunFailure;
import dev.jdpo.orchestrator.run.RunReporter;
import dev.jdpo.proto.v1.Criterion;
import dev.jdpo.proto.v1.RunConfig;
import dev.jdpo.proto.v1.SampledPairs.Builder;
import dev.jdpo.tokenizer.text.TextTokenizer;
import dev.jdpo.tokenizer.text.TokenizerLoadException;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Turns {@code data.sampled_pairs} into a training file: samples with the run's starting policy, keeps the best
 * over the worst per prompt ({@link PairSampler}) and writes them to the output directory. The file is named by a
 * fingerprint of the inputs (the settings, the policy's and adapter's paths, the bytes of the prompts and criteria
 * files); sampling is seeded, so a resumed run, or the training after validation, reuses it instead of sampling
 * again.
 */
final class SampledPairsFile {

    /** Used when neither the config nor generation_config.json sets max_new_tokens. */
    private static final int DEFAULT_MAX_NEW_TOKENS = 256;
    private static final int BATCH_SIZE = 32;
    private static final int CHUNK_ROWS = 16;
    private static final String FIELD = "data.sampled_pairs";

    private SampledPairsFile() {
    }

    /**
     * The config with the sampled file as {@code data.training_file}; unchanged without sampled pairs.
     *
     * @return empty when a stop was requested while sampling
     */
    static Optional<RunConfig> materialize(RunConfig config, RunReporter reporter) throws RunFailure {
        if (!config.getData().hasSampledPairs()) {
            return Optional.of(config);
        }
        Path file = Path.of(config.getOutput().getOutputDir(), "sampled-pairs-" + fingerprint(config) + ".jsonl");
        if (Files.isRegularFile(file)) {
            reporter.info(FIELD + ": reusing " + file);
        } else if (!sample(config, file, reporter)) {
            return Optional.empty();
        }
        RunConfig.Builder b = config.toBuilder();
        b.getDataBuilder().clearSampledPairs().setTrainingFile(file.toString());
        return Optional.of(b.build());
    }

    /**
     * As for a run's {@code evaluation}: a run config may not start a program in the orchestrator's process
     * ({@code command}) or read a schema file from wherever the criteria file points; {@code jdpo pairs sample} may.
     */
    private static void refuseOutsideReach(List<Criterion> criteria) throws RunFailure {
        for (int i = 0; i < criteria.size(); i++) {
            Optional<String> field = Criteria.reachingField(criteria.get(i));
            if (field.isPresent()) {
                throw new RunFailure("invalid_sampled_pairs", FIELD + ".criteria_file: criteria[" + i + "]."
                        + field.get() + " is not allowed in a run's criteria: " + (field.get().equals("command")
                        ? "it would run a program in the orchestrator; use jdpo pairs sample"
                        : "give the schema inline (json.schema)"), FIELD + ".criteria_file");
            }
        }
    }

    /** False when a stop was requested. */
    private static boolean sample(RunConfig config, Path file, RunReporter reporter) throws RunFailure {
        dev.jdpo.proto.v1.SampledPairs source = config.getData().getSampledPairs();
        List<Checker> checkers;
        List<PromptRow> rows;
        try {
            Path criteriaFile = Path.of(source.getCriteriaFile());
            List<Criterion> criteria = CriteriaFileReader.criteria(criteriaFile);
            refuseOutsideReach(criteria);
            checkers = CriteriaFileReader.checkers(criteriaFile, criteria);
        } catch (InvalidCriteriaException e) {
            throw new RunFailure("invalid_sampled_pairs", FIELD + ".criteria_file: " + e.getMessage(),
                    FIELD + ".criteria_file");
        }
        try {
            rows = PromptFile.read(Path.of(source.getPromptsFile()));
        } catch (InvalidPromptException e) {
            throw new RunFailure("invalid_sampled_pairs", FIELD + ".prompts_file: " + e.getMessage(),
                    FIELD + ".prompts_file");
        }
        Path policy = Path.of(config.getModel().getPolicy());
        String adapter = config.getTraining().getLora().getAdapter();
        List<SampledPair> pairs = new ArrayList<>();
        int ties = 0;
        int blank = 0;
        try (TextTokenizer tokenizer = TextTokenizer.load(policy);
             CausalLM model = adapter.isEmpty() ? CausalLM.load(policy, Devices.loadOptions(config.getModel(), false))
                     : CausalLM.load(policy, Path.of(adapter), Devices.loadOptions(config.getModel(), false))) {
            PairSampler sampler = new PairSampler(new TextGenerator(model, tokenizer), checkers);
            GenerationOptions options = options(source, config, model, tokenizer);
            int samples = source.getNumSamples();
            // a chunk of rows at a time, so a cancel waits for one chunk only; answer k of the whole list still
            // samples with seed + k, so the pairs are those of one call (and of `jdpo pairs sample`)
            for (int start = 0; start < rows.size(); start += CHUNK_ROWS) {
                if (reporter.stopRequested()) {
                    return false;
                }
                GenerationOptions chunk = new GenerationOptions(options.maxNewTokens(), true, options.temperature(),
                        options.topP(), options.seed() + (long) start * samples, options.stopIds(), true);
                SampledPairs part = sampler.sample(rows.subList(start, Math.min(rows.size(), start + CHUNK_ROWS)),
                        chunk, samples, BATCH_SIZE);
                pairs.addAll(part.pairs());
                ties += part.ties();
                blank += part.blankAnswers();
            }
        } catch (TokenizerLoadException | ModelLoadException e) {
            throw new RunFailure("invalid_model", "model.policy: cannot load it to sample pairs: " + e.getMessage(),
                    "model.policy");
        } catch (InvalidPromptException e) {
            throw new RunFailure("invalid_sampled_pairs", FIELD + ".prompts_file: " + e.getMessage(),
                    FIELD + ".prompts_file");
        }
        String summary = pairs.size() + " of " + rows.size() + " prompts yielded a pair (" + ties + " ties, " + blank
                + " blank answers left out)";
        if (pairs.isEmpty()) {
            throw new RunFailure("invalid_sampled_pairs", FIELD + ": no pair: " + summary, FIELD);
        }
        write(file, pairs);
        reporter.info(FIELD + ": " + summary + ": " + file);
        return true;
    }

    private static GenerationOptions options(dev.jdpo.proto.v1.SampledPairs source, RunConfig config, CausalLM model,
                                             TextTokenizer tokenizer) {
        var generation = model.generationConfig();
        int limit = source.hasMaxNewTokens() ? source.getMaxNewTokens()
                : generation.maxNewTokens().orElse(DEFAULT_MAX_NEW_TOKENS);
        List<Integer> stops = generation.eosTokenIds().isEmpty() ? List.of(tokenizer.specialTokens().eosId())
                : generation.eosTokenIds();
        long seed = source.hasSeed() ? source.getSeed() : config.getTraining().getSeed();
        return GenerationOptions.sampled(limit, source.hasTemperature() ? source.getTemperature() : 1.0,
                source.hasTopP() ? source.getTopP() : 1.0, seed, stops);
    }

    private static void write(Path file, List<SampledPair> pairs) throws RunFailure {
        try {
            Files.createDirectories(file.getParent());
            Path partial = file.resolveSibling(file.getFileName() + ".partial");
            try (Writer out = Files.newBufferedWriter(partial, StandardCharsets.UTF_8)) {
                for (SampledPair pair : pairs) {
                    out.write(PreferenceLines.of(pair) + "\n");
                }
            }
            // a file under the final name is always whole: a resumed run trusts it
            Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new RunFailure("output_error", "output.output_dir: cannot write " + file + ": " + e.getMessage(),
                    "output.output_dir");
        }
    }

    private static String fingerprint(RunConfig config) throws RunFailure {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            Builder source = config.getData().getSampledPairs().toBuilder();
            if (!source.hasSeed()) {
                source.setSeed(config.getTraining().getSeed());
            }
            digest.update(source.build().toByteArray());
            digest.update((config.getModel().getPolicy() + "\0" + config.getTraining().getLora().getAdapter() + "\0")
                    .getBytes(StandardCharsets.UTF_8));
            digest.update(Files.readAllBytes(Path.of(source.getPromptsFile())));
            digest.update(Files.readAllBytes(Path.of(source.getCriteriaFile())));
            return HexFormat.of().formatHex(digest.digest(), 0, 8);
        } catch (IOException e) {
            throw new RunFailure("invalid_sampled_pairs", FIELD + ": cannot read " + e.getMessage(), FIELD);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
