package dev.jdpo.evaluation.criteria;

import com.google.gson.Gson;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.jdpo.proto.v1.CriteriaFile;
import dev.jdpo.proto.v1.Criterion;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads a criteria file: YAML or JSON (one parser, YAML being a superset) holding a {@code jdpo.v1.CriteriaFile},
 * i.e. {@code criteria:} and a list of criteria with the proto's field names.
 */
public final class CriteriaFileReader {

    private CriteriaFileReader() {
    }

    /** The file's checkers; command criteria run, and schema files are found, in the file's directory. */
    public static List<Checker> read(Path file) throws InvalidCriteriaException {
        return checkers(file, criteria(file));
    }

    /** The checkers of {@code criteria} already read from {@code file}, as {@link #read} builds them. */
    public static List<Checker> checkers(Path file, List<Criterion> criteria) throws InvalidCriteriaException {
        Path dir = file.toAbsolutePath().getParent();
        try {
            return Criteria.checkers(criteria, dir);
        } catch (InvalidCriteriaException e) {
            throw new InvalidCriteriaException(file + ": " + e.getMessage(), e);
        }
    }

    /** The file's criteria as written, before any checker is built (nothing started, no schema read). */
    public static List<Criterion> criteria(Path file) throws InvalidCriteriaException {
        return parse(file).getCriteriaList();
    }

    static CriteriaFile parse(Path file) throws InvalidCriteriaException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new InvalidCriteriaException(file + ": cannot read the criteria file: " + e.getMessage(), e);
        }
        Object tree;
        try {
            LoaderOptions options = new LoaderOptions();
            options.setAllowDuplicateKeys(false);
            tree = new Yaml(new SafeConstructor(options)).load(text);
        } catch (YAMLException e) {
            throw new InvalidCriteriaException(file + ": not YAML or JSON: " + e.getMessage(), e);
        }
        if (!(tree instanceof Map<?, ?>)) {
            throw new InvalidCriteriaException(file + ": expected a mapping with a \"criteria\" list");
        }
        CriteriaFile.Builder builder = CriteriaFile.newBuilder();
        try {
            JsonFormat.parser().merge(new Gson().toJson(tree), builder);
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            throw new InvalidCriteriaException(file + ": " + e.getMessage(), e);
        }
        return builder.build();
    }
}
