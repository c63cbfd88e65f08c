package dev.jdpo.orchestrator.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Writes a command's JSON lines, one object a line, to its {@code --out} file or, with none, to standard output. */
final class JsonLines {

    private JsonLines() { }

    static void write(Path file, PrintWriter stdout, List<?> lines) throws IOException {
        if (file == null) {
            writeTo(stdout, lines);
            stdout.flush();
            return;
        }
        try (Writer writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            writeTo(writer, lines);
        }
    }

    private static void writeTo(Writer writer, List<?> lines) throws IOException {
        for (Object line : lines) {
            writer.write(line + "\n");
        }
    }
}
