package dev.jdpo.orchestrator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The three stand-alone services share one shape under {@code jdpo serve}. */
class ServeCommandTest {

    @Test
    void eachServiceListensOnLoopbackByDefaultAndNamesItselfInItsUsage() {
        CommandLine serve = JdpoCli.newCommandLine().getSubcommands().get("serve");
        for (String service : List.of("tokenizer", "reference", "trainer")) {
            CommandLine command = serve.getSubcommands().get(service);
            assertEquals("127.0.0.1", command.getCommandSpec().findOption("--host").defaultValue(), service);
            StringWriter usage = new StringWriter();
            command.usage(new PrintWriter(usage));
            assertTrue(usage.toString().startsWith("Usage: jdpo serve " + service + " "), usage.toString());
        }
    }
}
