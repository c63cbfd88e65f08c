package dev.jdpo.evaluation.pairs;

import dev.jdpo.evaluation.Completion;
import dev.jdpo.evaluation.Evaluation;
import dev.jdpo.evaluation.Judged;
import dev.jdpo.evaluation.TextGenerator;
import dev.jdpo.evaluation.criteria.Checker;
import dev.jdpo.evaluation.prompts.InvalidPromptException;
import dev.jdpo.evaluation.prompts.PromptRow;
import dev.jdpo.model.generate.GenerationOptions;
import java.util.ArrayList;
import java.util.List;

/**
 * Preference pairs from criteria without a human (OpenPipe's "criteria feedback" source): samples several answers
 * per prompt, scores each ({@link PairScore}), and keeps the best over the worst when their scores differ.
 */
public final class PairSampler {

    private final TextGenerator generator;
    private final List<Checker> checkers;

    public PairSampler(TextGenerator generator, List<Checker> checkers) {
        this.generator = generator;
        this.checkers = List.copyOf(checkers);
    }

    /**
     * Samples {@code samples} answers per row. Every prompt goes through the chat template, as the pairs are
     * written as chat data and training renders them that way.
     */
    public SampledPairs sample(List<PromptRow> rows, GenerationOptions options, int samples, int batchSize)
            throws InvalidPromptException {
        if (samples < 2) {
            throw new IllegalArgumentException("a pair needs at least 2 samples per prompt, got " + samples);
        }
        if (!options.sample()) {
            throw new IllegalArgumentException("greedy decoding gives one answer per prompt: sampling is needed");
        }
        List<Completion> completions = generator.generate(rows, true, options, samples, batchSize);
        return select(Evaluation.judge(completions, checkers), samples);
    }

    /**
     * The pairs among judged answers given {@code samples} per row, consecutive and in row order. Blank answers
     * are no candidates: preference data refuses an empty message.
     */
    public static SampledPairs select(List<Judged> judged, int samples) {
        if (samples <= 0 || judged.size() % samples != 0) {
            throw new IllegalArgumentException(judged.size() + " answers are not " + samples + " per row");
        }
        List<SampledPair> pairs = new ArrayList<>();
        int ties = 0;
        int blank = 0;
        for (int start = 0; start < judged.size(); start += samples) {
            Judged best = null;
            Judged worst = null;
            for (Judged answer : judged.subList(start, start + samples)) {
                if (answer.completion().answer().isBlank()) {
                    blank++;
                    continue;
                }
                if (best == null || PairScore.of(answer) > PairScore.of(best)) {
                    best = answer;
                }
                if (worst == null || PairScore.of(answer) < PairScore.of(worst)) {
                    worst = answer;
                }
            }
            if (best != null && PairScore.of(best) > PairScore.of(worst)) {
                pairs.add(new SampledPair(best, worst));
            } else {
                ties++;
            }
        }
        return new SampledPairs(pairs, judged.size() / samples, ties, blank);
    }
}
