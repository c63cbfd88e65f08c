package dev.jdpo.orchestrator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jdpo.proto.v1.RunConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;

class RunConfigOptionsTest {

    /** A command that only carries the shared config flags. */
    static final class Flags {
        @Mixin
        RunConfigOptions options;
    }

    private static RunConfig read(String... args) throws Exception {
        Flags flags = new Flags();
        new CommandLine(flags).parseArgs(args);
        return flags.options.read(new PrintWriter(new StringWriter()));
    }

    @Test
    void withoutOutputTheRunWritesToTheWorkingDirectory() throws Exception {
        // the commands: `jdpo train --policy ... --adapter ...` then `jdpo merge --adapter final`
        assertEquals(Path.of("").toAbsolutePath().toString(),
                read("--policy", "examples/tiny-llama").getOutput().getOutputDir());
    }

    @Test
    void anOutputFlagIsMadeAbsolute() throws Exception {
        assertEquals(Path.of("runs/x").toAbsolutePath().toString(),
                read("--policy", "examples/tiny-llama", "--output", "runs/x").getOutput().getOutputDir());
    }
}
