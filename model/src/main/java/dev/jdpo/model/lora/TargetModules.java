package dev.jdpo.model.lora;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * PEFT's {@code target_modules}: a list of module names, each matching a module path equal to it or ending in
 * {@code "." + name}; or one string, either {@code all-linear} (every linear layer but the LM head) or a regular
 * expression that must match the whole module path (e.g. {@code model.layers.0.self_attn.q_proj}).
 *
 * @param names the module names, or null when {@code pattern} is set
 * @param pattern {@code all-linear} or a regular expression, or null when {@code names} is set
 */
public record TargetModules(List<String> names, String pattern) {

    public static final String ALL_LINEAR = "all-linear";

    public TargetModules {
        if ((names == null) == (pattern == null)) {
            throw new IllegalArgumentException("target_modules is either a list of names or one string");
        }
        if (names != null) {
            names = List.copyOf(names);
            if (names.isEmpty()) {
                throw new IllegalArgumentException("target_modules must name at least one module");
            }
        } else if (!pattern.equals(ALL_LINEAR)) {
            try {
                Pattern.compile(pattern);
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("target_modules \"" + pattern + "\" is not a valid regular "
                        + "expression: " + e.getDescription());
            }
        }
    }

    /** The listed module names, e.g. {@code q_proj}, {@code v_proj}. */
    public static TargetModules names(List<String> names) {
        return new TargetModules(Objects.requireNonNull(names, "names"), null);
    }

    /** Every linear layer but the LM head. */
    public static TargetModules allLinear() {
        return new TargetModules(null, ALL_LINEAR);
    }

    /** Modules whose whole path matches the regular expression. */
    public static TargetModules pattern(String regex) {
        return new TargetModules(null, Objects.requireNonNull(regex, "regex"));
    }

    /** Whether the linear module at {@code path} (e.g. {@code model.layers.3.mlp.up_proj}) is selected. */
    public boolean selects(String path, boolean lmHead) {
        if (names != null) {
            return names.stream().anyMatch(name -> matchesName(path, name));
        }
        if (pattern.equals(ALL_LINEAR)) {
            return !lmHead;
        }
        return Pattern.compile(pattern).matcher(path).matches();
    }

    /** PEFT's rule for one listed name: the path is the name or ends in {@code "." + name}. */
    static boolean matchesName(String path, String name) {
        return path.equals(name) || path.endsWith("." + name);
    }
}
