package dev.jdpo.tokenizer.pipeline;

/** A pass under FAIL policy met a bad row; the message names its line, field and code. */
public final class InvalidDataException extends Exception {

    private final ReportEntry entry;
    private final ValidationReport report;

    public InvalidDataException(String file, ReportEntry entry, ValidationReport report) {
        super(file + ": " + entry.describe());
        this.entry = entry;
        this.report = report;
    }

    public ReportEntry entry() {
        return entry;
    }

    public ValidationReport report() {
        return report;
    }
}
