package dev.jdpo.orchestrator.run;

/**
 * A run failed for a reason a user can act on; the message is shown as is (never a stack trace).
 * {@code code} follows OpenAI's job error codes in spirit ("invalid_training_file", "service_unavailable").
 */
public final class RunFailure extends Exception {

    private final String code;
    private final String param;

    public RunFailure(String code, String message, String param) {
        super(message);
        this.code = code;
        this.param = param == null ? "" : param;
    }

    public RunFailure(String code, String message, String param, Throwable cause) {
        super(message, cause);
        this.code = code;
        this.param = param == null ? "" : param;
    }

    public String code() {
        return code;
    }

    /** The config field at fault, or empty. */
    public String param() {
        return param;
    }
}
