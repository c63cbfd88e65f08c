package dev.jdpo.evaluation;

import com.google.gson.JsonObject;
import dev.jdpo.evaluation.criteria.Verdict;

/** The JSONL lines {@code jdpo generate} and {@code jdpo evaluate} write for each answer. */
public final class CompletionLines {

    private CompletionLines() {
    }

    /** {@code {"index","sequence","prompt","answer","finish_reason","tokens"}}; the prompt as the row gave it. */
    public static JsonObject of(Completion completion) {
        JsonObject line = new JsonObject();
        line.addProperty("index", completion.index());
        line.addProperty("sequence", completion.sequence());
        line.add("prompt", completion.row().promptValue().deepCopy());
        line.addProperty("answer", completion.answer());
        line.addProperty("finish_reason", completion.finishReason());
        line.addProperty("tokens", completion.tokens());
        return line;
    }

    /** As {@link #of(Completion)}, plus {@code "verdicts": {name: {"pass","score","reason"}}}. */
    public static JsonObject of(Judged judged) {
        JsonObject line = of(judged.completion());
        JsonObject verdicts = new JsonObject();
        for (Verdict verdict : judged.verdicts()) {
            JsonObject entry = new JsonObject();
            entry.addProperty("pass", verdict.pass());
            entry.addProperty("score", verdict.score());
            entry.addProperty("reason", verdict.reason());
            verdicts.add(verdict.criterion(), entry);
        }
        line.add("verdicts", verdicts);
        return line;
    }
}
