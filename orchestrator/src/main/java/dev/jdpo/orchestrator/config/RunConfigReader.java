package dev.jdpo.orchestrator.config;

import com.google.protobuf.Message;
import dev.jdpo.proto.v1.RunConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads a run config (or another config message) from YAML or JSON (one parser: YAML is a superset of JSON) plus
 * {@code field.path=value} overrides from the command line, field names as in config.proto.
 */
public final class RunConfigReader {

    /** Parses {@code file}, applies the overrides in order, and binds the result to a RunConfig. */
    public RunConfig read(Path file, List<String> overrides) throws InvalidConfigException {
        return read(file, overrides, RunConfig.newBuilder()).build();
    }

    /** As {@link #read(Path, List)}, for another config message (a continual job's). */
    public <B extends Message.Builder> B read(Path file, List<String> overrides, B builder)
            throws InvalidConfigException {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException missing) {
            throw new InvalidConfigException("config", file + " does not exist");
        } catch (IOException unreadable) {
            throw new InvalidConfigException("config", "cannot read " + file + ": " + unreadable.getMessage());
        }
        return bind(text, file.toString(), overrides, builder);
    }

    /** Parses config text; {@code source} names it in error messages. */
    public RunConfig parse(String text, String source, List<String> overrides) throws InvalidConfigException {
        return bind(text, source, overrides, RunConfig.newBuilder()).build();
    }

    private static <B extends Message.Builder> B bind(String text, String source, List<String> overrides, B builder)
            throws InvalidConfigException {
        Object tree = load(text, source);
        Map<String, Object> root = tree == null ? new LinkedHashMap<>() : asMutableMap(tree);
        if (root == null) {
            throw new InvalidConfigException("(root)", source + " must hold a mapping of config sections");
        }
        for (String override : overrides) {
            applyOverride(root, override);
        }
        List<ConfigViolation> violations = new ArrayList<>();
        new ProtoMapBinder(violations).bindMessage(root, builder, "");
        if (!violations.isEmpty()) {
            throw new InvalidConfigException(violations);
        }
        return builder;
    }

    /** The config with no file: overrides only. */
    public RunConfig fromOverrides(List<String> overrides) throws InvalidConfigException {
        return parse("{}", "command line", overrides);
    }

    private static Object load(String text, String source) throws InvalidConfigException {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        try {
            return new Yaml(new SafeConstructor(options)).load(text);
        } catch (MarkedYAMLException syntax) {
            var mark = syntax.getProblemMark();
            String where = mark == null ? source : source + ":" + (mark.getLine() + 1) + ":" + (mark.getColumn() + 1);
            throw new InvalidConfigException("config", where + ": " + syntax.getProblem());
        } catch (YAMLException syntax) {
            throw new InvalidConfigException("config", source + ": " + syntax.getMessage());
        }
    }

    private static void applyOverride(Map<String, Object> root, String override) throws InvalidConfigException {
        int eq = override.indexOf('=');
        if (eq <= 0) {
            throw new InvalidConfigException("--set", "expected field.path=value, got \"" + override + "\"");
        }
        String path = override.substring(0, eq).trim();
        Object value = load(override.substring(eq + 1), "--set " + path);
        String[] keys = path.split("\\.");
        Map<String, Object> node = root;
        for (int i = 0; i < keys.length - 1; i++) {
            Object child = node.get(keys[i]);
            Map<String, Object> childMap = child == null ? new LinkedHashMap<>() : asMutableMap(child);
            if (childMap == null) {
                throw new InvalidConfigException(String.join(".", List.of(keys).subList(0, i + 1)),
                        "is not a section, cannot set " + path);
            }
            node.put(keys[i], childMap);
            node = childMap;
        }
        node.put(keys[keys.length - 1], value);
    }

    private static Map<String, Object> asMutableMap(Object value) {
        if (!(value instanceof Map<?, ?> map)) {
            return null;
        }
        Map<String, Object> copy = new LinkedHashMap<>();
        map.forEach((k, v) -> copy.put(String.valueOf(k), v));
        return copy;
    }
}
