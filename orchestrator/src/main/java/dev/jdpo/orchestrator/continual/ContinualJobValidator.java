package dev.jdpo.orchestrator.continual;

import dev.jdpo.evaluation.criteria.Criteria;
import dev.jdpo.evaluation.criteria.InvalidCriteriaException;
import dev.jdpo.orchestrator.config.AllowedRoots;
import dev.jdpo.orchestrator.config.ConfigViolation;
import dev.jdpo.orchestrator.config.InvalidConfigException;
import dev.jdpo.orchestrator.config.PathNotAllowedException;
import dev.jdpo.orchestrator.config.RunConfigValidator;
import dev.jdpo.proto.v1.ContinualJobConfig;
import dev.jdpo.proto.v1.ContinualReference;
import dev.jdpo.proto.v1.PromotionGate;
import dev.jdpo.proto.v1.RunConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Checks a submitted ContinualJobConfig, naming the field path of every problem, and fills in its defaults. */
final class ContinualJobValidator {

    static final int DEFAULT_GATE_PROMPTS = 64;
    static final int DEFAULT_GATE_NEW_TOKENS = 64;
    private static final int MAX_NAME_CHARS = 128;
    private static final int MAX_TASK_CHARS = 256;

    private final RunConfigValidator runValidator = new RunConfigValidator();
    private final AllowedRoots roots;

    ContinualJobValidator(AllowedRoots roots) {
        this.roots = roots;
    }

    /**
     * The config with every default filled in and its paths absolute.
     *
     * @throws InvalidConfigException  naming every bad field
     * @throws PathNotAllowedException for a path outside the allowed roots
     */
    ContinualJobConfig validate(ContinualJobConfig config) throws InvalidConfigException, PathNotAllowedException {
        List<ConfigViolation> problems = new ArrayList<>();
        if (config.getName().length() > MAX_NAME_CHARS) {
            problems.add(new ConfigViolation("name", "longer than " + MAX_NAME_CHARS + " characters"));
        }
        if (config.getTask().isBlank()) {
            problems.add(new ConfigViolation("task", "required: the FeedbackService task whose pairs feed the job"));
        } else if (config.getTask().length() > MAX_TASK_CHARS) {
            problems.add(new ConfigViolation("task", "longer than " + MAX_TASK_CHARS + " characters"));
        }
        checkTrigger(config, problems);
        if (config.getReference() == ContinualReference.UNRECOGNIZED) {
            problems.add(new ConfigViolation("reference", "unknown value " + config.getReferenceValue()));
        }
        if (config.getMaxRounds() < 0) {
            problems.add(new ConfigViolation("max_rounds", "must be >= 0 (0: until cancelled), got "
                    + config.getMaxRounds()));
        }
        checkGate(config, problems);
        checkTemplate(config, problems);
        if (!problems.isEmpty()) {
            throw new InvalidConfigException(problems);
        }
        ContinualJobConfig withDefaults = withDefaults(config);
        return checkPaths(withDefaults);
    }

    private static void checkTrigger(ContinualJobConfig config, List<ConfigViolation> problems) {
        if (!config.hasTrigger() || config.getTrigger().getKindCase()
                == dev.jdpo.proto.v1.ContinualTrigger.KindCase.KIND_NOT_SET) {
            problems.add(new ConfigViolation("trigger", "required: every_pairs or every_minutes"));
            return;
        }
        switch (config.getTrigger().getKindCase()) {
            case EVERY_PAIRS -> {
                if (config.getTrigger().getEveryPairs() < 1) {
                    problems.add(new ConfigViolation("trigger.every_pairs", "must be >= 1, got "
                            + config.getTrigger().getEveryPairs()));
                }
                if (!feedback(config)) {
                    problems.add(new ConfigViolation("trigger.every_pairs", "counts new feedback pairs, but "
                            + "pairs.feedback is false; use trigger.every_minutes with sampled pairs only"));
                }
            }
            case EVERY_MINUTES -> {
                if (config.getTrigger().getEveryMinutes() < 1) {
                    problems.add(new ConfigViolation("trigger.every_minutes", "must be >= 1, got "
                            + config.getTrigger().getEveryMinutes()));
                }
            }
            default -> {
            }
        }
    }

    private static void checkGate(ContinualJobConfig config, List<ConfigViolation> problems) {
        if (!config.hasGate()) {
            problems.add(new ConfigViolation("gate", "required: the held-out prompts and criteria that decide "
                    + "promotion"));
            return;
        }
        PromotionGate gate = config.getGate();
        if (gate.getPromptsFile().isBlank()) {
            problems.add(new ConfigViolation("gate.prompts_file", "required"));
        }
        if (gate.getCriteriaCount() == 0) {
            problems.add(new ConfigViolation("gate.criteria", "at least one criterion is needed"));
        }
        for (int i = 0; i < gate.getCriteriaCount(); i++) {
            Optional<String> field = Criteria.reachingField(gate.getCriteria(i));
            if (field.isPresent()) {
                problems.add(new ConfigViolation("gate.criteria[" + i + "]." + field.get(), "not allowed in a "
                        + "continual job: it would run a program or read a file in the orchestrator"));
            }
        }
        if (gate.getCriteriaCount() > 0 && problems.stream().noneMatch(p -> p.field().startsWith("gate.criteria"))) {
            try {
                Criteria.checkers(gate.getCriteriaList(), Path.of("."));
            } catch (InvalidCriteriaException invalid) {
                problems.add(new ConfigViolation("gate", invalid.getMessage()));
            }
        }
        if (!Double.isFinite(gate.getMaxPassRateDrop()) || Math.abs(gate.getMaxPassRateDrop()) > 1) {
            problems.add(new ConfigViolation("gate.max_pass_rate_drop", "must be in -1..1, got "
                    + gate.getMaxPassRateDrop()));
        }
        if (!Double.isFinite(gate.getTemperature()) || gate.getTemperature() < 0) {
            problems.add(new ConfigViolation("gate.temperature", "must be >= 0 (0: greedy), got "
                    + gate.getTemperature()));
        }
        if (gate.hasMaxPrompts() && gate.getMaxPrompts() < 1) {
            problems.add(new ConfigViolation("gate.max_prompts", "must be >= 1, got " + gate.getMaxPrompts()));
        }
        if (gate.hasMaxNewTokens() && gate.getMaxNewTokens() < 1) {
            problems.add(new ConfigViolation("gate.max_new_tokens", "must be >= 1, got " + gate.getMaxNewTokens()));
        }
    }

    /** The template as its first round would run it, checked by the run validator with its fields renamed. */
    private void checkTemplate(ContinualJobConfig config, List<ConfigViolation> problems) {
        if (!config.hasRunTemplate()) {
            problems.add(new ConfigViolation("run_template", "required: the run every round starts from"));
            return;
        }
        RunConfig template = config.getRunTemplate();
        if (!template.getData().getTrainingFile().isEmpty() || template.getData().hasSampledPairs()) {
            problems.add(new ConfigViolation("run_template.data", "each round sets its own training data; leave "
                    + "training_file and sampled_pairs empty (sampled pairs go in pairs.sampled)"));
        }
        if (template.getTraining().hasLora()) {
            problems.add(new ConfigViolation("run_template.training.lora", "not supported by continual jobs yet: "
                    + "each round starts from the previous round's full model"));
        }
        if (!template.getOutput().getResumeFromCheckpoint().isEmpty()) {
            problems.add(new ConfigViolation("run_template.output.resume_from_checkpoint",
                    "not allowed: each round starts from the latest promoted model"));
        }
        if (template.getOutput().getOutputDir().isBlank()) {
            problems.add(new ConfigViolation("run_template.output.output_dir", "required: round N writes to "
                    + "output_dir/round-N"));
        }
        if (feedback(config) && config.getPairs().hasSampled()) {
            problems.add(new ConfigViolation("pairs.sampled", "feedback and sampled pairs in one round are not "
                    + "supported yet; set pairs.feedback: false to train on sampled pairs"));
        }
        if (!problems.isEmpty()) {
            return;
        }
        try {
            runValidator.validate(RoundConfig.firstRoundProbe(config));
        } catch (InvalidConfigException invalid) {
            for (ConfigViolation violation : invalid.violations()) {
                problems.add(new ConfigViolation(jobField(violation.field()), violation.description()));
            }
        }
    }

    /** A field of the round's run config as the job's config spells it. */
    static String jobField(String runField) {
        return runField.startsWith("data.sampled_pairs")
                ? "pairs.sampled" + runField.substring("data.sampled_pairs".length())
                : "run_template." + runField;
    }

    private ContinualJobConfig checkPaths(ContinualJobConfig config) throws InvalidConfigException,
            PathNotAllowedException {
        ContinualJobConfig.Builder b = config.toBuilder();
        b.getGateBuilder().setPromptsFile(roots.checkInputFile("gate.prompts_file", config.getGate().getPromptsFile()));
        RunConfig checked;
        try {
            checked = roots.checkPaths(RoundConfig.firstRoundProbe(b.build()));
        } catch (InvalidConfigException invalid) {
            List<ConfigViolation> renamed = new ArrayList<>();
            for (ConfigViolation violation : invalid.violations()) {
                renamed.add(new ConfigViolation(jobField(violation.field()), violation.description()));
            }
            throw new InvalidConfigException(renamed);
        } catch (PathNotAllowedException denied) {
            throw denied.withField(jobField(denied.field()));
        }
        RunConfig.Builder template = b.getRunTemplateBuilder();
        template.getModelBuilder().setPolicy(checked.getModel().getPolicy())
                .setReference(checked.getModel().getReference());
        template.getOutputBuilder().setOutputDir(Path.of(checked.getOutput().getOutputDir()).getParent().toString());
        template.getDataBuilder().setValidationFile(checked.getData().getValidationFile());
        template.getEvaluationBuilder().setPromptsFile(checked.getEvaluation().getPromptsFile());
        if (!config.getRunTemplate().hasEvaluation()) {
            template.clearEvaluation();
        }
        if (config.getPairs().hasSampled()) {
            b.getPairsBuilder().setSampled(checked.getData().getSampledPairs());
        }
        return b.build();
    }

    private static ContinualJobConfig withDefaults(ContinualJobConfig config) {
        ContinualJobConfig.Builder b = config.toBuilder();
        if (config.getReference() == ContinualReference.CONTINUAL_REFERENCE_UNSPECIFIED) {
            b.setReference(ContinualReference.CONTINUAL_REFERENCE_PREVIOUS_ROUND);
        }
        if (!config.getPairs().hasFeedback()) {
            b.getPairsBuilder().setFeedback(true);
        }
        if (!config.getGate().hasMaxPrompts()) {
            b.getGateBuilder().setMaxPrompts(DEFAULT_GATE_PROMPTS);
        }
        if (!config.getGate().hasMaxNewTokens()) {
            b.getGateBuilder().setMaxNewTokens(DEFAULT_GATE_NEW_TOKENS);
        }
        return b.build();
    }

    static boolean feedback(ContinualJobConfig config) {
        return !config.getPairs().hasFeedback() || config.getPairs().getFeedback();
    }
}
