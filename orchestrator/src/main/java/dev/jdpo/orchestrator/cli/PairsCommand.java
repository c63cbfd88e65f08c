package dev.jdpo.orchestrator.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code jdpo pairs}: making preference pairs. */
@Command(name = "pairs", mixinStandardHelpOptions = true, description = "Make preference pairs.",
        subcommands = PairsSampleCommand.class)
public final class PairsCommand implements Runnable {

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
