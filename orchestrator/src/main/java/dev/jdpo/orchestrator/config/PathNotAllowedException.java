package dev.jdpo.orchestrator.config;

import dev.jdpo.host.EchoLimit;

/** A model or data path of a run config lies outside the server's allowed roots. */
public final class PathNotAllowedException extends Exception {

    private final String field;

    public PathNotAllowedException(String field, String path) {
        super(field + ": " + EchoLimit.value(path) + " is outside the allowed roots (jdpo.allowed-roots)");
        this.field = field;
    }

    public String field() {
        return field;
    }
}
