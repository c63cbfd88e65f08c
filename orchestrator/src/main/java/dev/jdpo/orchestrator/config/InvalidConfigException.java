package dev.jdpo.orchestrator.config;

import java.util.List;
import java.util.stream.Collectors;

/** A run config was rejected; the message lists every violation with its field path. */
public final class InvalidConfigException extends Exception {

    private final List<ConfigViolation> violations;

    public InvalidConfigException(List<ConfigViolation> violations) {
        super(violations.stream().map(ConfigViolation::toString).collect(Collectors.joining("; ")));
        if (violations.isEmpty()) {
            throw new IllegalArgumentException("an invalid config needs at least one violation");
        }
        this.violations = List.copyOf(violations);
    }

    public InvalidConfigException(String field, String description) {
        this(List.of(new ConfigViolation(field, description)));
    }

    public List<ConfigViolation> violations() {
        return violations;
    }
}
