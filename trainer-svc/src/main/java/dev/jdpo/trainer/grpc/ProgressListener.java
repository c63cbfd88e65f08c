package dev.jdpo.trainer.grpc;

import dev.jdpo.evaluation.Judged;
import dev.jdpo.evaluation.criteria.Verdict;
import dev.jdpo.proto.internal.v1.CheckpointSaved;
import dev.jdpo.proto.internal.v1.CriteriaEval;
import dev.jdpo.proto.internal.v1.EvalMetrics;
import dev.jdpo.proto.internal.v1.LoggedMetrics;
import dev.jdpo.proto.internal.v1.StepMetrics;
import dev.jdpo.proto.internal.v1.TrainProgress;
import dev.jdpo.proto.v1.CriterionVerdict;
import dev.jdpo.proto.v1.EvalSample;
import dev.jdpo.trainer.engine.StepResult;
import dev.jdpo.trainer.eval.CriteriaEvaluationListener;
import dev.jdpo.trainer.eval.CriteriaReport;
import dev.jdpo.trainer.eval.Evaluation;
import dev.jdpo.trainer.eval.EvaluationListener;
import dev.jdpo.trainer.run.TrainingListener;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Turns a run's callbacks into TrainProgress messages: each step's own metrics, then (when due) its evaluation,
 * and behavioural evaluation, then the logging step's averaged report and any checkpoint, in the order the run
 * reaches them.
 */
final class ProgressListener implements TrainingListener {

    private final ProgressStream out;
    private final EvaluationListener evaluation;
    private final CriteriaEvaluationListener criteria;

    /**
     * @param evaluation evaluates on schedule, or null when there are no validation pairs
     * @param criteria evaluates by criteria on schedule, or null when the job has no {@code evaluation}
     */
    ProgressListener(ProgressStream out, EvaluationListener evaluation, CriteriaEvaluationListener criteria) {
        this.out = out;
        this.evaluation = evaluation;
        this.criteria = criteria;
    }

    /** Sends one evaluation (the sink of the evaluation listener). */
    static void sendEvaluation(ProgressStream out, Evaluation evaluation) throws IOException {
        out.send(TrainProgress.newBuilder().setEval(EvalMetrics.newBuilder().setStep(evaluation.step())
                .putAllMetrics(evaluation.values())).build());
    }

    /** Sends one behavioural evaluation (the sink of the criteria listener). */
    static void sendCriteria(ProgressStream out, CriteriaReport report) throws IOException {
        CriteriaEval.Builder eval = CriteriaEval.newBuilder().setStep(report.step()).putAllMetrics(report.metrics());
        for (Judged judged : report.samples()) {
            EvalSample.Builder sample = eval.addSamplesBuilder().setPrompt(judged.completion().promptText())
                    .setAnswer(judged.completion().answer());
            for (Verdict verdict : judged.verdicts()) {
                sample.addVerdicts(CriterionVerdict.newBuilder().setCriterion(verdict.criterion())
                        .setPass(verdict.pass()).setScore(verdict.score()).setReason(verdict.reason()));
            }
        }
        out.send(TrainProgress.newBuilder().setCriteriaEval(eval).build());
    }

    @Override
    public void onStep(StepResult result, int totalSteps) throws IOException {
        out.send(TrainProgress.newBuilder().setStep(StepMetrics.newBuilder().setStep(result.metrics().step())
                .setTotalSteps(totalSteps).putAllMetrics(result.metrics().values())).build());
        if (evaluation != null) {
            evaluation.onStep(result, totalSteps);
        }
        if (criteria != null) {
            criteria.onStep(result, totalSteps);
        }
    }

    @Override
    public void onLog(dev.jdpo.trainer.run.LoggedMetrics metrics) throws IOException {
        out.send(TrainProgress.newBuilder().setLog(LoggedMetrics.newBuilder().setStep(metrics.step())
                .putAllMetrics(metrics.values())).build());
    }

    @Override
    public void onCheckpoint(int step, Path directory) throws IOException {
        out.send(TrainProgress.newBuilder().setCheckpoint(CheckpointSaved.newBuilder().setStep(step)
                .setPath(directory.toString())).build());
    }
}
