package dev.jdpo.tokenizer.template;

/** A chat template failed to render: it called raise_exception, or used something the engine cannot evaluate. */
public final class TemplateException extends Exception {
    public TemplateException(String message) {
        super(message);
    }
}
