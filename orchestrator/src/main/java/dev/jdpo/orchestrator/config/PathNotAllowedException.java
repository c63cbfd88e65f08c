package dev.jdpo.orchestrator.config;

import dev.jdpo.host.EchoLimit;

/** A model or data path of a run config lies outside the server's allowed roots. */
public final class PathNotAllowedException extends Exception {

    private final String field;
    private final String path;

    public PathNotAllowedException(String field, String path) {
        super(field + ": " + EchoLimit.value(path) + " is outside the allowed roots (jdpo.allowed-roots)");
        this.field = field;
        this.path = path;
    }

    public String field() {
        return field;
    }

    /** The same refusal for a field spelled otherwise (a run template's field inside a continual job's config). */
    public PathNotAllowedException withField(String otherField) {
        return new PathNotAllowedException(otherField, path);
    }
}
