package dev.jdpo.orchestrator.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads TensorBoard event files back with {@code orchestrator/src/test/python/read_tfevents.py}: Python that decodes the format from its spec,
 * sharing no code or .proto with the writer.
 */
public final class PythonEventReader {

    private static final Path PYTHON = Path.of("/usr/bin/python3");

    private PythonEventReader() {
    }

    /** The scalars under {@code logDir} (TensorBoard's restart rule applied): tag, then step, to value. */
    public static Map<String, Map<Long, Float>> scalars(Path logDir, Path scratch) throws Exception {
        Prerequisites.require(Files.isExecutable(PYTHON), PYTHON + " not found; install the Debian package python3");
        Path reader = Path.of(System.getProperty("jdpo.repo.root"), "orchestrator/src/test/python/read_tfevents.py");
        ExternalProcess.Result read = ExternalProcess.run(List.of(PYTHON.toString(), reader.toString(),
                logDir.toString()), Map.of(), scratch, 120);
        assertEquals(0, read.exit(), read.output());
        Map<String, Map<Long, Float>> scalars = new TreeMap<>();
        for (String line : read.output().lines().toList()) {
            JsonObject scalar = JsonParser.parseString(line).getAsJsonObject();
            float value = scalar.get("value").getAsFloat();
            Float previous = scalars.computeIfAbsent(scalar.get("tag").getAsString(), tag -> new TreeMap<>())
                    .put(scalar.get("step").getAsLong(), value);
            // an evaluation report repeats its step's epoch
            assertTrue(previous == null || previous == value, "one value per tag and step: " + line);
        }
        return scalars;
    }
}
