package dev.jdpo.evaluation.criteria;

import java.util.Optional;

/**
 * At most N words or N generated tokens; N is fixed or read from a field of the prompt row. Score: 1 within the
 * limit, else limit / length, so a slightly long answer scores higher than a rambling one.
 *
 * @param fixed > 0 for one limit for all rows, else {@code field} names the row's limit
 */
record LengthLimitChecker(String name, Unit unit, long fixed, String field) implements Checker {

    /** What is counted. */
    enum Unit { WORDS, TOKENS }

    @Override
    public Verdict check(GeneratedAnswer answer) {
        Optional<Long> limit = fixed > 0 ? Optional.of(fixed) : RowFields.positive(answer, field);
        if (limit.isEmpty()) {
            return Verdict.fail(name, RowFields.unusable(answer, field, "a positive whole number"));
        }
        long length = unit == Unit.WORDS ? words(answer.text()) : answer.tokens();
        String unitName = unit.name().toLowerCase(java.util.Locale.ROOT);
        if (length <= limit.get()) {
            return new Verdict(name, true, 1, length + " " + unitName + " <= " + limit.get());
        }
        return new Verdict(name, false, (double) limit.get() / length, length + " " + unitName + " > " + limit.get());
    }

    /** Runs of non-whitespace, as {@code len(text.split())} counts them. */
    static long words(String text) {
        long count = 0;
        boolean inWord = false;
        for (int i = 0; i < text.length(); ) {
            int codePoint = text.codePointAt(i);
            boolean space = Character.isWhitespace(codePoint) || Character.isSpaceChar(codePoint);
            if (!space && !inWord) {
                count++;
            }
            inWord = !space;
            i += Character.charCount(codePoint);
        }
        return count;
    }
}
