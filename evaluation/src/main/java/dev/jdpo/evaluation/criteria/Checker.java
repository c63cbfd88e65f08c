package dev.jdpo.evaluation.criteria;

/** Decides one criterion for a generated answer. */
public interface Checker {

    /** The criterion's name, as reports and metrics show it. */
    String name();

    Verdict check(GeneratedAnswer answer);
}
