package dev.jdpo.orchestrator.cli;

import picocli.CommandLine.Command;

/** {@code jdpo pairs}: making preference pairs. */
@Command(name = "pairs", mixinStandardHelpOptions = true, description = "Make preference pairs.",
        subcommands = PairsSampleCommand.class)
public final class PairsCommand extends CommandGroup {
}
