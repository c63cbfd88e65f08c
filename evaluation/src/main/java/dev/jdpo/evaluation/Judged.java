package dev.jdpo.evaluation;

import dev.jdpo.evaluation.criteria.Verdict;
import java.util.List;

/** A generated answer with every criterion's verdict on it, in criteria order. */
public record Judged(Completion completion, List<Verdict> verdicts) {

    public Judged {
        verdicts = List.copyOf(verdicts);
    }
}
