package dev.jdpo.evaluation.criteria;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The answer (trimmed, or the first group of an extraction pattern) equals the expected answer, fixed or from a
 * field of the prompt row: e.g. the letter of a multiple-choice question. Score 1 or 0.
 *
 * @param expected non-empty for one answer for all rows, else {@code field} names the row's answer
 * @param extract  may be null
 */
record ExactAnswerChecker(String name, String expected, String field, Pattern extract, boolean ignoreCase)
        implements Checker {

    @Override
    public Verdict check(GeneratedAnswer answer) {
        Optional<String> wanted = expected.isEmpty() ? RowFields.text(answer, field) : Optional.of(expected);
        if (wanted.isEmpty()) {
            return Verdict.fail(name, RowFields.unusable(answer, field, "a string or a number"));
        }
        String given = answer.text().strip();
        if (extract != null) {
            Matcher matcher = extract.matcher(answer.text());
            if (!matcher.find()) {
                return Verdict.fail(name, "no answer found by /" + RowFields.cut(extract.pattern()) + "/");
            }
            given = (matcher.groupCount() > 0 && matcher.group(1) != null ? matcher.group(1) : matcher.group()).strip();
        }
        String want = wanted.get().strip();
        boolean equal = ignoreCase ? given.equalsIgnoreCase(want) : given.equals(want);
        return equal ? Verdict.pass(name) : Verdict.fail(name,
                "answered \"" + RowFields.cut(given) + "\", expected \"" + RowFields.cut(want) + "\"");
    }
}
