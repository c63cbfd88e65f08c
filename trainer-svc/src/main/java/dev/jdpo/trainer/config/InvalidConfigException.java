package dev.jdpo.trainer.config;

/** A training hyperparameter or input is refused; the message starts with the field's name (TRL's spelling). */
public final class InvalidConfigException extends IllegalArgumentException {

    private final String field;

    public InvalidConfigException(String field, String problem) {
        super(field + ": " + problem);
        this.field = field;
    }

    /** The offending field, e.g. {@code loss_weights}. */
    public String field() {
        return field;
    }
}
