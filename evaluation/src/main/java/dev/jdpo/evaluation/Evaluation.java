package dev.jdpo.evaluation;

import dev.jdpo.evaluation.criteria.Checker;
import dev.jdpo.evaluation.criteria.Verdict;
import java.util.ArrayList;
import java.util.List;

/** Judges generated answers by criteria and sums up the pass rates: the library behind {@code jdpo evaluate}. */
public final class Evaluation {

    private Evaluation() {
    }

    /** Every checker's verdict on every completion. */
    public static List<Judged> judge(List<Completion> completions, List<Checker> checkers) {
        List<Judged> judged = new ArrayList<>(completions.size());
        for (Completion completion : completions) {
            List<Verdict> verdicts = new ArrayList<>(checkers.size());
            for (Checker checker : checkers) {
                verdicts.add(checker.check(completion.toAnswer()));
            }
            judged.add(new Judged(completion, verdicts));
        }
        return judged;
    }

    /** Pass counts and mean scores per criterion, in criteria order. */
    public static List<CriterionSummary> summarize(List<Judged> judged, List<Checker> checkers) {
        List<CriterionSummary> summaries = new ArrayList<>(checkers.size());
        for (int c = 0; c < checkers.size(); c++) {
            int passed = 0;
            double scores = 0;
            for (Judged answer : judged) {
                Verdict verdict = answer.verdicts().get(c);
                passed += verdict.pass() ? 1 : 0;
                scores += verdict.score();
            }
            summaries.add(new CriterionSummary(checkers.get(c).name(), passed, judged.size(),
                    judged.isEmpty() ? 0 : scores / judged.size()));
        }
        return summaries;
    }
}
