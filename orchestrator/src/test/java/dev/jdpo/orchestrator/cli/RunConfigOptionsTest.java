package dev.jdpo.orchestrator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdpo.proto.v1.RunConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
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

    @Test
    void eachFlagSetsTheFieldItsHelpNames() throws Exception {
        RunConfig config = read("--name", "n", "--policy", "examples/tiny-llama", "--beta", "0.25", "--epochs", "3",
                "--lora-target-modules", "q_proj,v_proj", "--use-rslora", "--save-steps", "7",
                "--resume", "/tmp/checkpoint-7");
        assertEquals("n", config.getName());
        assertEquals(0.25, config.getTraining().getBeta(), 1e-12);
        assertEquals(3, config.getTraining().getEpochs());
        assertEquals(List.of("q_proj", "v_proj"), config.getTraining().getLora().getTargetModulesList());
        assertTrue(config.getTraining().getLora().getUseRslora());
        assertEquals(7, config.getOutput().getCheckpointInterval());
        assertEquals("/tmp/checkpoint-7", config.getOutput().getResumeFromCheckpoint());
        assertFalse(read("--policy", "examples/tiny-llama").getTraining().hasBeta());
    }
}
