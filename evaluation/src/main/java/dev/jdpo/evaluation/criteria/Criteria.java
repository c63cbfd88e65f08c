package dev.jdpo.evaluation.criteria;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaException;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.jdpo.proto.v1.CommandCheck;
import dev.jdpo.proto.v1.Criterion;
import dev.jdpo.proto.v1.ExactAnswer;
import dev.jdpo.proto.v1.JsonCheck;
import dev.jdpo.proto.v1.RegexCheck;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** Turns {@code jdpo.v1.Criterion} messages into checkers, checking every field; errors name the field path. */
public final class Criteria {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    private static final long DEFAULT_TIMEOUT_MS = 10_000;

    private Criteria() {
    }

    /**
     * The field of {@code criterion} that reaches beyond the answer, if any: {@code command} runs a program,
     * {@code json.schema_file} reads a file. Run configs refuse such criteria; the CLI's own files may use them.
     */
    public static Optional<String> reachingField(Criterion criterion) {
        if (criterion.hasCommand()) {
            return Optional.of("command");
        }
        return criterion.getJson().getSchemaFile().isEmpty() ? Optional.empty() : Optional.of("json.schema_file");
    }

    /**
     * Checkers for {@code criteria} in order.
     *
     * @param baseDir where command criteria run and schema files are found (the criteria file's directory)
     */
    public static List<Checker> checkers(List<Criterion> criteria, Path baseDir) throws InvalidCriteriaException {
        if (criteria.isEmpty()) {
            throw new InvalidCriteriaException("criteria: at least one criterion is needed");
        }
        List<Checker> checkers = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < criteria.size(); i++) {
            Criterion criterion = criteria.get(i);
            String path = "criteria[" + i + "]";
            if (!NAME.matcher(criterion.getName()).matches()) {
                throw new InvalidCriteriaException(path + ".name: required, 1-64 letters, digits, '_', '-' or '.'");
            }
            if (!names.add(criterion.getName())) {
                throw new InvalidCriteriaException(path + ".name: \"" + criterion.getName() + "\" is used twice");
            }
            checkers.add(checker(criterion, path, baseDir));
        }
        return List.copyOf(checkers);
    }

    private static Checker checker(Criterion c, String path, Path baseDir) throws InvalidCriteriaException {
        String name = c.getName();
        return switch (c.getCheckCase()) {
            case WORD_LIMIT -> limit(name, LengthLimitChecker.Unit.WORDS, c.getWordLimit().getMax(),
                    c.getWordLimit().getMaxField(), path + ".word_limit");
            case TOKEN_LIMIT -> limit(name, LengthLimitChecker.Unit.TOKENS, c.getTokenLimit().getMax(),
                    c.getTokenLimit().getMaxField(), path + ".token_limit");
            case REGEX -> regex(name, c.getRegex(), path + ".regex");
            case EXACT_ANSWER -> exact(name, c.getExactAnswer(), path + ".exact_answer");
            case JSON -> json(name, c.getJson(), path + ".json", baseDir);
            case COMMAND -> command(name, c.getCommand(), path + ".command", baseDir);
            case CHECK_NOT_SET -> throw new InvalidCriteriaException(path + ": no check set; one of word_limit, "
                    + "token_limit, regex, exact_answer, json, command");
        };
    }

    private static Checker limit(String name, LengthLimitChecker.Unit unit, int max, String field, String path)
            throws InvalidCriteriaException {
        if ((max > 0) == !field.isEmpty()) {
            throw new InvalidCriteriaException(path + ": set exactly one of max (a positive number) and max_field");
        }
        return new LengthLimitChecker(name, unit, Integer.toUnsignedLong(max), field);
    }

    private static Checker regex(String name, RegexCheck regex, String path) throws InvalidCriteriaException {
        boolean mustMatch = !regex.getMustMatch().isEmpty();
        if (mustMatch == !regex.getMustNotMatch().isEmpty()) {
            throw new InvalidCriteriaException(path + ": set exactly one of must_match and must_not_match");
        }
        String field = mustMatch ? "must_match" : "must_not_match";
        String source = mustMatch ? regex.getMustMatch() : regex.getMustNotMatch();
        return new RegexChecker(name, compile(source, regex.getIgnoreCase(), path + "." + field), mustMatch);
    }

    private static Checker exact(String name, ExactAnswer exact, String path) throws InvalidCriteriaException {
        if (exact.getExpected().isEmpty() == exact.getField().isEmpty()) {
            throw new InvalidCriteriaException(path + ": set exactly one of expected and field");
        }
        Pattern extract = exact.getExtract().isEmpty() ? null
                : compile(exact.getExtract(), exact.getIgnoreCase(), path + ".extract");
        return new ExactAnswerChecker(name, exact.getExpected(), exact.getField(), extract, exact.getIgnoreCase());
    }

    private static Checker json(String name, JsonCheck json, String path, Path baseDir)
            throws InvalidCriteriaException {
        if (json.hasSchema() && !json.getSchemaFile().isEmpty()) {
            throw new InvalidCriteriaException(path + ": set at most one of schema and schema_file");
        }
        String source;
        String where;
        if (json.hasSchema()) {
            where = path + ".schema";
            try {
                source = JsonFormat.printer().print(json.getSchema());
            } catch (InvalidProtocolBufferException e) {
                throw new InvalidCriteriaException(where + ": " + e.getMessage(), e);
            }
        } else if (!json.getSchemaFile().isEmpty()) {
            Path file = baseDir.resolve(json.getSchemaFile());
            where = path + ".schema_file (" + file + ")";
            try {
                source = Files.readString(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new InvalidCriteriaException(where + ": cannot read: " + e.getMessage(), e);
            }
        } else {
            return new JsonChecker(name, null);
        }
        try {
            Schema schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
                    .getSchema(source, InputFormat.JSON);
            schema.initializeValidators();
            return new JsonChecker(name, schema);
        } catch (SchemaException | IllegalArgumentException | tools.jackson.core.JacksonException e) {
            throw new InvalidCriteriaException(where + ": not a usable JSON Schema: " + e.getMessage(), e);
        }
    }

    private static Checker command(String name, CommandCheck command, String path, Path baseDir)
            throws InvalidCriteriaException {
        if (command.getArgvCount() == 0 || command.getArgv(0).isBlank()) {
            throw new InvalidCriteriaException(path + ".argv: required, the program and its arguments");
        }
        long timeout = command.getTimeoutMs() == 0 ? DEFAULT_TIMEOUT_MS
                : Integer.toUnsignedLong(command.getTimeoutMs());
        return new CommandChecker(name, command.getArgvList(), baseDir, timeout);
    }

    private static Pattern compile(String source, boolean ignoreCase, String path) throws InvalidCriteriaException {
        try {
            return Pattern.compile(source, ignoreCase ? Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE : 0);
        } catch (PatternSyntaxException e) {
            throw new InvalidCriteriaException(path + ": not a regular expression: " + e.getDescription()
                    + " near index " + e.getIndex());
        }
    }
}
