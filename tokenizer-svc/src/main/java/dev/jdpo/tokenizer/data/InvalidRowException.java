package dev.jdpo.tokenizer.data;

/** A row is unusable; carries the stable code and the path of the offending field ("" for the whole row). */
public final class InvalidRowException extends Exception {

    private final ErrorCode code;
    private final String field;

    public InvalidRowException(ErrorCode code, String field, String message) {
        super(message);
        this.code = code;
        this.field = field;
    }

    public ErrorCode code() {
        return code;
    }

    public String field() {
        return field;
    }
}
