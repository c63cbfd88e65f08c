package dev.jdpo.tokenizer.io;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import dev.jdpo.tokenizer.data.InvalidRowException;
import java.io.IOException;
import java.nio.file.Path;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;

/**
 * Parquet rows (one row group in memory at a time) turned into the JSON objects the JSONL path sees, so every
 * format parses the same way. LIST columns become arrays, MAP columns objects, byte arrays UTF-8 strings.
 */
final class ParquetSource implements RowSource {

    private final String name;
    private final ParquetFileReader reader;
    private final MessageType schema;
    private RecordReader<Group> rows;
    private long rowsLeftInGroup;
    private long row;

    ParquetSource(Path file) throws DataFileException {
        this.name = file.toString();
        try {
            ParquetReadOptions.Builder options = ParquetReadOptions.builder(new PlainParquetConfiguration());
            options.withCodecFactory(new GzipAwareCodecFactory(options.build().getCodecFactory()));
            this.reader = ParquetFileReader.open(new LocalInputFile(file), options.build());
        } catch (IOException | RuntimeException | LinkageError e) {
            throw new DataFileException(name + ": not a readable Parquet file: " + e.getMessage(), e);
        }
        this.schema = reader.getFooter().getFileMetaData().getSchema();
    }

    @Override
    public RawRow next() throws DataFileException {
        try {
            while (rowsLeftInGroup == 0) {
                PageReadStore pages = reader.readNextRowGroup();
                if (pages == null) {
                    return null;
                }
                rows = new ColumnIOFactory().getColumnIO(schema).getRecordReader(pages, new GroupRecordConverter(schema));
                rowsLeftInGroup = pages.getRowCount();
            }
            rowsLeftInGroup--;
            row++;
            return RawRow.ok(row, object(rows.read()));
        } catch (IOException | RuntimeException | LinkageError e) {
            // LinkageError: a codec that needs real Hadoop classes (e.g. LZO) must not escape as a JVM error
            throw new DataFileException(name + ": cannot read Parquet row " + (row + 1) + ": " + e.getMessage(), e);
        }
    }

    private static JsonObject object(Group group) {
        GroupType type = group.getType();
        JsonObject object = new JsonObject();
        for (int i = 0; i < type.getFieldCount(); i++) {
            Type field = type.getType(i);
            int count = group.getFieldRepetitionCount(i);
            if (field.isRepetition(Type.Repetition.REPEATED)) {
                JsonArray values = new JsonArray(count);
                for (int j = 0; j < count; j++) {
                    values.add(value(group, i, j));
                }
                object.add(field.getName(), values);
            } else if (count > 0) {
                object.add(field.getName(), value(group, i, 0));
            }
        }
        return object;
    }

    private static JsonElement value(Group parent, int field, int index) {
        Type type = parent.getType().getType(field);
        if (type.isPrimitive()) {
            return primitive(parent, field, index, type.asPrimitiveType());
        }
        Group group = parent.getGroup(field, index);
        LogicalTypeAnnotation logical = type.getLogicalTypeAnnotation();
        if (logical instanceof LogicalTypeAnnotation.ListLogicalTypeAnnotation) {
            return list(group);
        }
        if (logical instanceof LogicalTypeAnnotation.MapLogicalTypeAnnotation) {
            return map(group);
        }
        return object(group);
    }

    /** Standard 3-level lists ({@code repeated group list { element }}) and the legacy 2-level forms. */
    private static JsonArray list(Group list) {
        JsonArray values = new JsonArray();
        if (list.getType().getFieldCount() != 1) {
            return values;
        }
        Type repeated = list.getType().getType(0);
        int count = list.getFieldRepetitionCount(0);
        boolean threeLevel = !repeated.isPrimitive() && repeated.asGroupType().getFieldCount() == 1
                && !repeated.getName().equals("array") && !repeated.getName().endsWith("_tuple");
        for (int j = 0; j < count; j++) {
            if (threeLevel) {
                Group wrapper = list.getGroup(0, j);
                values.add(wrapper.getFieldRepetitionCount(0) == 0 ? JsonNull.INSTANCE : value(wrapper, 0, 0));
            } else {
                values.add(value(list, 0, j));
            }
        }
        return values;
    }

    private static JsonObject map(Group map) {
        JsonObject object = new JsonObject();
        if (map.getType().getFieldCount() != 1 || map.getType().getType(0).isPrimitive()) {
            return object;
        }
        for (int j = 0; j < map.getFieldRepetitionCount(0); j++) {
            Group entry = map.getGroup(0, j);
            String key = value(entry, 0, 0).getAsString();
            object.add(key, entry.getFieldRepetitionCount(1) == 0 ? JsonNull.INSTANCE : value(entry, 1, 0));
        }
        return object;
    }

    private static JsonElement primitive(Group group, int field, int index, PrimitiveType type) {
        switch (type.getPrimitiveTypeName()) {
            case BOOLEAN:
                return new JsonPrimitive(group.getBoolean(field, index));
            case INT32:
                return new JsonPrimitive(group.getInteger(field, index));
            case INT64:
                return new JsonPrimitive(group.getLong(field, index));
            case FLOAT:
                return new JsonPrimitive(group.getFloat(field, index));
            case DOUBLE:
                return new JsonPrimitive(group.getDouble(field, index));
            case BINARY:
            case FIXED_LEN_BYTE_ARRAY:
                return text(group.getBinary(field, index).toStringUsingUTF8(), type);
            default:
                return JsonNull.INSTANCE;
        }
    }

    /** Strings, except columns annotated JSON (some writers store nested values so), which become JSON values. */
    private static JsonElement text(String value, PrimitiveType type) {
        if (type.getLogicalTypeAnnotation() instanceof LogicalTypeAnnotation.JsonLogicalTypeAnnotation) {
            try {
                return SafeJson.parse(value);
            } catch (InvalidRowException e) {
                return new JsonPrimitive(value);
            }
        }
        return new JsonPrimitive(value);
    }

    @Override
    public void close() throws DataFileException {
        DataFileException.close(name, reader);
    }
}
