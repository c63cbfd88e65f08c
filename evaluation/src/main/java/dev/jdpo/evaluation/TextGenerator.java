package dev.jdpo.evaluation;

import dev.jdpo.evaluation.prompts.InvalidPromptException;
import dev.jdpo.evaluation.prompts.PromptEncoder;
import dev.jdpo.evaluation.prompts.PromptRow;
import dev.jdpo.model.CausalLM;
import dev.jdpo.model.generate.GenerationOptions;
import dev.jdpo.model.generate.GenerationResult;
import dev.jdpo.model.generate.Generator;
import dev.jdpo.tokenizer.text.TextTokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Answers prompt rows with a model: renders and tokenizes each prompt, generates in batches, decodes the answers. */
public final class TextGenerator {

    private final Generator generator;
    private final TextTokenizer tokenizer;

    public TextGenerator(CausalLM model, TextTokenizer tokenizer) {
        this.generator = new Generator(model);
        this.tokenizer = tokenizer;
    }

    /**
     * {@code sequences} answers per row, in row order. Answer {@code k} of the whole list samples with seed
     * {@code options.seed() + k}, so a seeded run is reproducible whatever the batch size.
     *
     * @param chat text prompts go through the chat template as one user message
     */
    public List<Completion> generate(List<PromptRow> rows, boolean chat, GenerationOptions options, int sequences,
                                     int batchSize) throws InvalidPromptException {
        return generate(encode(rows, chat), options, sequences, batchSize);
    }

    /**
     * Each row rendered and tokenized as {@link #generate(List, boolean, GenerationOptions, int, int)} does, for
     * callers that answer the same prompts again and again.
     */
    public List<EncodedPrompt> encode(List<PromptRow> rows, boolean chat) throws InvalidPromptException {
        PromptEncoder encoder = new PromptEncoder(tokenizer, chat);
        List<EncodedPrompt> prompts = new ArrayList<>(rows.size());
        for (PromptRow row : rows) {
            String text = encoder.render(row);
            int[] ids = encoder.encode(text);
            if (ids.length == 0) {
                throw new InvalidPromptException((row.line() > 0 ? "line " + row.line() + ": " : "")
                        + "the prompt encodes to no tokens");
            }
            prompts.add(new EncodedPrompt(row, text, ids));
        }
        return prompts;
    }

    /** As {@link #generate(List, boolean, GenerationOptions, int, int)}, for prompts already encoded. */
    public List<Completion> generate(List<EncodedPrompt> prompts, GenerationOptions options, int sequences,
                                     int batchSize) {
        if (sequences <= 0) {
            throw new IllegalArgumentException("sequences must be positive, got " + sequences);
        }
        List<int[]> ids = new ArrayList<>(prompts.size() * sequences);
        for (EncodedPrompt prompt : prompts) {
            int[] promptIds = prompt.ids();
            for (int s = 0; s < sequences; s++) {
                ids.add(promptIds);
            }
        }
        List<GenerationResult> results = generator.generate(ids, options, batchSize);
        List<Completion> completions = new ArrayList<>(results.size());
        for (int k = 0; k < results.size(); k++) {
            GenerationResult result = results.get(k);
            int[] answer = result.stopped()
                    ? Arrays.copyOf(result.tokens(), result.tokens().length - 1) : result.tokens();
            int index = k / sequences;
            EncodedPrompt prompt = prompts.get(index);
            completions.add(new Completion(index, prompt.row(), k % sequences, prompt.text(),
                    tokenizer.decode(answer), answer.length, result.stopped()));
        }
        return completions;
    }
}
