package dev.jdpo.tokenizer.template;

/** What the template's {@code raise_exception(message)} throws; caught again when the render result is checked. */
public final class TemplateRaise extends RuntimeException {

    TemplateRaise(String message) {
        super(message, null, false, false);
    }

    /** Bound as the Jinja global {@code raise_exception}, as transformers does. */
    public static String raise(String message) {
        throw new TemplateRaise(message);
    }
}
