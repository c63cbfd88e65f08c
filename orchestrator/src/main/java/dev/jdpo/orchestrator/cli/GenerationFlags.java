package dev.jdpo.orchestrator.cli;

import dev.jdpo.evaluation.TextGenerator;
import dev.jdpo.model.CausalLM;
import dev.jdpo.model.GenerationConfig;
import dev.jdpo.model.LoadOptions;
import dev.jdpo.model.generate.GenerationOptions;
import dev.jdpo.tokenizer.text.TextTokenizer;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * The flags {@code jdpo generate}, {@code evaluate} and {@code pairs sample} share: the model (with a LoRA adapter),
 * the chat template switch and the decoding settings, whose defaults come from the model's
 * {@code generation_config.json}; and the loaded model they generate with.
 */
final class GenerationFlags {

    /** Used when neither the flag nor generation_config.json sets max_new_tokens. */
    static final int DEFAULT_MAX_NEW_TOKENS = 256;

    @CommandLine.Spec(CommandLine.Spec.Target.MIXEE) CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", paramLabel = "DIR", required = true, description = "Hugging Face model directory")
    Path model;

    @Option(names = "--adapter", paramLabel = "DIR", description = "PEFT LoRA adapter directory to generate with "
            + "(on --model as its base)")
    Path adapter;

    @Option(names = "--chat", description = "send text prompts through the model's chat template as a user message "
            + "(message-list prompts always go through it)")
    boolean chat;

    @Option(names = "--max-new-tokens", paramLabel = "N", description = "tokens to generate at most (default: "
            + "generation_config.json's max_new_tokens, else " + DEFAULT_MAX_NEW_TOKENS + ")")
    Integer maxNewTokens;

    @Option(names = "--temperature", paramLabel = "T", description = "sample at this temperature; 0 decodes greedily "
            + "(default: generation_config.json's do_sample and temperature; greedy when it has none)")
    Double temperature;

    @Option(names = "--top-p", paramLabel = "P", description = "sample from the smallest set of tokens whose "
            + "probability reaches P (default: generation_config.json's top_p, else 1)")
    Double topP;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0", description = "sampling seed; answer k of the "
            + "output samples with seed S + k, whatever the batch size (default: 0)")
    long seed;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "32",
            description = "prompts generated together (default: 32)")
    int batchSize;

    /** What a command does with the loaded model and the decoding options. */
    @FunctionalInterface
    interface Generation<T> {
        T run(TextGenerator generator, GenerationOptions options) throws Exception;
    }

    /** Loads the model (with --adapter's adapter) and its tokenizer for {@code generation}, and frees them after. */
    <T> T generate(Generation<T> generation) throws Exception {
        try (TextTokenizer tokenizer = TextTokenizer.load(model);
             CausalLM lm = CausalLM.load(model, adapter, LoadOptions.cpu())) {
            return generation.run(new TextGenerator(lm, tokenizer),
                    options(lm.generationConfig(), tokenizer.specialTokens().eosId()));
        }
    }

    /** Refuses greedy decoding where {@code flag} asks for several answers to a prompt. */
    void requireSampling(GenerationOptions options, String flag) {
        if (!options.sample()) {
            throw invalid(flag + " needs sampling (--temperature > 0): greedy decoding gives one answer");
        }
    }

    /**
     * The decoding options: the flags over the checkpoint's defaults. Giving --temperature or --top-p means
     * sampling (unless the temperature is 0); stop ids are the checkpoint's eos ids, else the tokenizer's eos.
     */
    GenerationOptions options(GenerationConfig config, int tokenizerEos) {
        if (maxNewTokens != null && maxNewTokens < 0) {
            throw invalid("--max-new-tokens must be >= 0, got " + maxNewTokens);
        }
        if (temperature != null && !(temperature >= 0)) {
            throw invalid("--temperature must be >= 0, got " + temperature);
        }
        if (topP != null && !(topP > 0 && topP <= 1)) {
            throw invalid("--top-p must be in (0, 1], got " + topP);
        }
        if (batchSize <= 0) {
            throw invalid("--batch-size must be positive, got " + batchSize);
        }
        boolean chosen = temperature != null || topP != null;
        double t = temperature != null ? temperature : config.temperature();
        boolean sample = chosen ? t > 0 : config.doSample();
        int limit = maxNewTokens != null ? maxNewTokens : config.maxNewTokens().orElse(DEFAULT_MAX_NEW_TOKENS);
        List<Integer> stops = config.eosTokenIds().isEmpty() ? List.of(tokenizerEos) : config.eosTokenIds();
        return new GenerationOptions(limit, sample, sample ? t : 1.0, topP != null ? topP : config.topP(), seed,
                stops, true);
    }

    CommandLine.ParameterException invalid(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }
}
