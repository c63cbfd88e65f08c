package dev.jdpo.orchestrator.cli;

import dev.jdpo.orchestrator.demo.DemoSettings;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code jdpo demo}: shows DPO changing what a model does, from a model built from scratch to a before/after table
 * of violation rates on held-out prompts.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Show DPO at work in a few minutes on a CPU: build a tiny model from scratch, fine-tune it on "
                + "a generated task (name a thing in at most N words) with answers that often break the limit, run "
                + "DPO on pairs preferring the answers within it, and print the violation rates on held-out prompts "
                + "before and after DPO, measured from generated answers.",
                "Both runs go through an embedded orchestrator, as `jdpo train` runs them; their configs, data and "
                        + "answers stay in --out."})
public final class DemoCommand implements Callable<Integer> {

    private static final String TORCH_THREADS = "ai.djl.pytorch.num_threads";

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "1",
            description = "seeds the task, the initial weights and both runs (default: 1)")
    long seed;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "runs/demo",
            description = "a new or empty directory for the model, data, runs and answers (default: runs/demo)")
    Path out;

    @Option(names = "--tokenizer", paramLabel = "DIR", description = "the directory whose tokenizer.json and chat "
            + "template the new model gets (default: the bundled examples/tiny-llama)")
    Path tokenizer;

    @Option(names = "--state-dir", paramLabel = "DIR", description = "run-state directory (default ~/.jdpo/state)")
    Path stateDir;

    @Override
    public Integer call() throws Exception {
        // Read once, when the engine starts (not before this point in a CLI process). The demo's matrices are tiny:
        // a second thread gains nothing, and on a loaded 2-core machine libtorch's default pool made SFT steps 8x
        // slower.
        if (System.getProperty(TORCH_THREADS) == null) {
            System.setProperty(TORCH_THREADS, "1");
        }
        Path tokenizerDir = tokenizer != null ? tokenizer
                : Path.of(System.getProperty("jdpo.home", ".")).resolve("examples/tiny-llama");
        Demo demo = new Demo(DemoSettings.standard(seed), out, tokenizerDir, stateDir, spec.commandLine().getOut(),
                spec.commandLine().getErr());
        return demo.run().isPresent() ? 0 : UserErrorHandler.EXIT_FAILURE;
    }
}
