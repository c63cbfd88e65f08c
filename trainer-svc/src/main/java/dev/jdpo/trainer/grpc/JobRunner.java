package dev.jdpo.trainer.grpc;

import dev.jdpo.model.CausalLM;
import dev.jdpo.model.LoadOptions;
import dev.jdpo.model.ModelLoadException;
import dev.jdpo.model.SharedBases;
import dev.jdpo.model.lora.LoraAdapter;
import dev.jdpo.proto.internal.v1.Finished;
import dev.jdpo.proto.internal.v1.Started;
import dev.jdpo.proto.internal.v1.TrainProgress;
import dev.jdpo.proto.internal.v1.TrainStatus;
import dev.jdpo.tokenizer.text.TextTokenizer;
import dev.jdpo.tokenizer.text.TokenizerLoadException;
import dev.jdpo.trainer.checkpoint.CheckpointException;
import dev.jdpo.trainer.config.InvalidConfigException;
import dev.jdpo.trainer.config.LoraTraining;
import dev.jdpo.trainer.data.PairSource;
import dev.jdpo.trainer.data.TrainingPair;
import dev.jdpo.trainer.engine.TrainingDivergedException;
import dev.jdpo.trainer.eval.CriteriaEvaluationListener;
import dev.jdpo.trainer.eval.CriteriaEvaluator;
import dev.jdpo.trainer.eval.EvaluationListener;
import dev.jdpo.trainer.eval.Evaluator;
import dev.jdpo.trainer.run.RunResult;
import dev.jdpo.trainer.run.TrainingRun;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The training thread of one job: loads the policy (or resumes the checkpoint), trains with progress streamed to
 * the client, and ends the call with {@code finished} or a status naming what failed. Releases the JVM's training
 * slot only after the model and optimizer are freed.
 */
final class JobRunner implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(JobRunner.class);

    private final JobSpec job;
    private final PairSource training;
    private final List<TrainingPair> validation;
    private final ProgressStream out;
    private final JobControl control;
    private final TrainingSlot.Lease lease;
    private final Set<JobControl> runningJobs;

    JobRunner(JobSpec job, PairSource training, List<TrainingPair> validation, ProgressStream out,
              JobControl control, TrainingSlot.Lease lease, Set<JobControl> runningJobs) {
        this.job = job;
        this.training = training;
        this.validation = List.copyOf(validation);
        this.out = out;
        this.control = control;
        this.lease = lease;
        this.runningJobs = runningJobs;
    }

    @Override
    public void run() {
        Finished finished = null;
        TrainFailure failure = null;
        try {
            finished = train();
        } catch (TrainFailure e) {
            failure = e;
        } finally {
            runningJobs.remove(control);
            lease.release();
        }
        // the last word goes out only now, so a client may start its next job as soon as it has it
        if (failure != null) {
            out.fail(failure);
            return;
        }
        try {
            out.send(TrainProgress.newBuilder().setFinished(finished).build());
            out.complete();
        } catch (InterruptedIOException e) {
            out.fail(TrainFailure.stopped("the trainer is shutting down: " + e.getMessage()));
        }
    }

    /** Trains and frees the model and optimizer; returns the outcome for the client. */
    private Finished train() throws TrainFailure {
        CausalLM policy = null;
        TrainingRun.Output output = new TrainingRun.Output(job.outputDir(), job.save(),
                job.lora() != null && job.lora().mergeAtEnd());
        try {
            TrainingRun run;
            if (job.resumeFrom() != null) {
                Path adapterBase = job.lora() == null ? null : job.policyDir();
                run = TrainingRun.resume(job.resumeFrom(), adapterBase, job.load(), job.padId(), training,
                        job.config(), output);
            } else {
                policy = loadPolicy();
                run = TrainingRun.start(policy, job.padId(), training, job.config(), output);
            }
            try (run; TextTokenizer tokenizer = job.evaluation() == null ? null
                    : TextTokenizer.load(run.trainer().policy().sourceDir())) {
                control.attach(run);
                out.send(TrainProgress.newBuilder().setStarted(Started.newBuilder().setTotalSteps(run.totalSteps())
                        .setCompletedSteps(run.completedSteps()).setTrainingPairs(training.size())
                        .setValidationPairs(validation.size()).setStartEpoch(run.cursor().epoch())
                        .setStartPosition(run.cursor().position()).setPairsLeft(run.pairsLeft())).build());
                CriteriaEvaluationListener criteria = criteriaEvaluation(run, tokenizer);
                if (criteria != null && run.completedSteps() == 0) {
                    criteria.atStart();
                }
                return finished(run.run(new ProgressListener(out, evaluation(run), criteria)));
            } finally {
                control.detach();
            }
        } catch (ModelLoadException e) {
            throw TrainFailure.invalidModel("policy_path", "policy_path: " + e.getMessage());
        } catch (TokenizerLoadException e) {
            throw TrainFailure.invalidModel("policy_path", "policy_path: the tokenizer the evaluation needs: "
                    + e.getMessage());
        } catch (InvalidConfigException e) {
            throw TrainFailure.invalidConfig(e.field(), e.getMessage());
        } catch (CheckpointException e) {
            throw TrainFailure.checkpoint(e.getMessage());
        } catch (TrainingDivergedException e) {
            throw TrainFailure.diverged(e.getMessage());
        } catch (InterruptedIOException e) {
            throw TrainFailure.stopped("the trainer is shutting down: " + e.getMessage());
        } catch (IOException e) {
            LOG.warn("job {}: writing {} failed", job.runId(), job.outputDir(), e);
            throw TrainFailure.io("writing " + job.outputDir() + " failed: " + e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("job {} failed", job.runId(), e);
            throw TrainFailure.internal("training failed: " + e);
        } finally {
            if (policy != null) {
                policy.close();
            }
        }
    }

    /**
     * The policy to train: the whole model, or under LoRA the frozen base with a new or continued adapter. The
     * base is shared with the reference when this process scores it too ({@link SharedBases}), unless the run
     * merges the adapter into it at the end.
     */
    private CausalLM loadPolicy() throws TrainFailure, ModelLoadException {
        LoraTraining lora = job.lora();
        if (lora == null) {
            return CausalLM.load(job.policyDir(), job.load());
        }
        if (lora.adapter() == null) {
            // the base loads frozen: no gradients, moments or master copies for its weights
            LoadOptions frozen = new LoadOptions(job.load().device(), job.load().precision(), false);
            CausalLM base = lora.mergeAtEnd() ? CausalLM.load(job.policyDir(), frozen)
                    : SharedBases.load(job.policyDir(), frozen);
            try {
                base.attachAdapter(LoraAdapter.create(base, lora.newAdapter(), job.config().seed(), true));
                return base;
            } catch (IllegalArgumentException e) {
                base.close();
                throw TrainFailure.invalidConfig("training.lora.target_modules", "training.lora."
                        + e.getMessage());
            }
        }
        try {
            return lora.mergeAtEnd() ? CausalLM.load(job.policyDir(), lora.adapter(), job.load())
                    : SharedBases.load(job.policyDir(), lora.adapter(), job.load());
        } catch (ModelLoadException e) {
            throw TrainFailure.invalidModel("training.lora.adapter", "training.lora.adapter: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw TrainFailure.invalidConfig("training.lora.adapter", "training.lora.adapter: " + e.getMessage());
        }
    }

    private EvaluationListener evaluation(TrainingRun run) {
        if (validation.isEmpty()) {
            return null;
        }
        Evaluator evaluator = new Evaluator(run.trainer().policy(), job.config(), job.padId(), validation,
                job.evalBatchSize());
        return new EvaluationListener(evaluator, job.evalInterval(), e -> ProgressListener.sendEvaluation(out, e));
    }

    private CriteriaEvaluationListener criteriaEvaluation(TrainingRun run, TextTokenizer tokenizer) {
        if (job.evaluation() == null) {
            return null;
        }
        CriteriaEvaluator evaluator = CriteriaEvaluator.create(run.trainer().policy(), tokenizer, job.evaluation(),
                validation, job.config().seed());
        return new CriteriaEvaluationListener(evaluator, job.evalInterval(),
                report -> ProgressListener.sendCriteria(out, report));
    }

    private static Finished finished(RunResult result) {
        return Finished.newBuilder()
                .setStatus(result.completed() ? TrainStatus.TRAIN_STATUS_SUCCEEDED : TrainStatus.TRAIN_STATUS_CANCELLED)
                .setFinalStep(result.steps())
                .setFinalDir(result.finalModel() == null ? "" : result.finalModel().toString())
                .setLastCheckpoint(result.lastCheckpoint() == null ? "" : result.lastCheckpoint().toString())
                .build();
    }
}
