package dev.jdpo.tokenizer.pipeline;

/** What a bad input row does to a pass. */
public enum BadLinePolicy {
    /** The first bad row stops the pass; the report holds its entry. */
    FAIL,
    /** Bad rows are skipped; the report holds an entry for each. */
    SKIP
}
