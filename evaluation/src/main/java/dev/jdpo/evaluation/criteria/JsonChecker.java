package dev.jdpo.evaluation.criteria;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * The answer (trimmed) is exactly one JSON value, one the JSON Schema accepts when there is one. Score 1 or 0.
 *
 * @param schema may be null: then any valid JSON passes
 */
record JsonChecker(String name, Schema schema) implements Checker {

    /** Strict JSON: no comments, no single quotes, nothing after the value. */
    private static final ObjectMapper STRICT = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    @Override
    public Verdict check(GeneratedAnswer answer) {
        String text = answer.text().strip();
        if (text.isEmpty()) {
            return Verdict.fail(name, "the answer is empty, not JSON");
        }
        JsonNode value;
        try {
            value = STRICT.readTree(text);
        } catch (JacksonException e) {
            return Verdict.fail(name, "not valid JSON: " + RowFields.cut(e.getOriginalMessage()));
        }
        if (schema == null) {
            return Verdict.pass(name);
        }
        List<Error> errors = schema.validate(value);
        if (errors.isEmpty()) {
            return Verdict.pass(name);
        }
        Error first = errors.get(0);
        return Verdict.fail(name, "the JSON Schema rejects it: " + first.getInstanceLocation() + ": "
                + first.getMessage() + (errors.size() > 1 ? " (and " + (errors.size() - 1) + " more)" : ""));
    }
}
