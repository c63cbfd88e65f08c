package dev.jdpo.evaluation.criteria;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A regular expression that must, or must not, be found in the answer. Score 1 or 0. */
record RegexChecker(String name, Pattern pattern, boolean mustMatch) implements Checker {

    @Override
    public Verdict check(GeneratedAnswer answer) {
        Matcher matcher = pattern.matcher(answer.text());
        boolean found = matcher.find();
        if (found == mustMatch) {
            return Verdict.pass(name);
        }
        return Verdict.fail(name, found
                ? "matches /" + RowFields.cut(pattern.pattern()) + "/ at \"" + RowFields.cut(matcher.group()) + "\""
                : "does not match /" + RowFields.cut(pattern.pattern()) + "/");
    }
}
