package dev.jdpo.orchestrator.cli;

import picocli.CommandLine;

/** A command that groups subcommands ({@code jdpo feedback}, ...): on its own it prints its usage. */
abstract class CommandGroup implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
