package dev.jdpo.orchestrator.config;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import dev.jdpo.proto.v1.AutoDouble;
import dev.jdpo.proto.v1.AutoInt;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Fills a protobuf builder from the maps and lists a YAML/JSON parser produces, naming the field path of
 * every value it cannot take. Unlike protobuf's JsonFormat it accepts OpenAI's {@code "auto"}, numbers
 * written as strings (YAML 1.1 reads {@code 1e-6} as a string), enum names without their prefix, and
 * kebab-case keys.
 */
final class ProtoMapBinder {

    private final List<ConfigViolation> violations;

    ProtoMapBinder(List<ConfigViolation> violations) {
        this.violations = violations;
    }

    void bindMessage(Object value, Message.Builder builder, String path) {
        if (!(value instanceof Map<?, ?> map)) {
            violations.add(new ConfigViolation(path.isEmpty() ? "(root)" : path,
                    "expected a mapping, got " + describe(value)));
            return;
        }
        Descriptor descriptor = builder.getDescriptorForType();
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            String key = String.valueOf(entry.getKey());
            String fieldPath = path.isEmpty() ? key : path + "." + key;
            FieldDescriptor field = findField(descriptor, key);
            if (field == null) {
                violations.add(new ConfigViolation(fieldPath, "unknown field"));
            } else if (entry.getValue() != null) {
                bindField(entry.getValue(), builder, field, fieldPath);
            }
        }
    }

    private static FieldDescriptor findField(Descriptor descriptor, String key) {
        String snake = key.replace('-', '_');
        FieldDescriptor field = descriptor.findFieldByName(snake);
        if (field != null) {
            return field;
        }
        return descriptor.getFields().stream().filter(f -> f.getJsonName().equals(key)).findFirst().orElse(null);
    }

    private void bindField(Object value, Message.Builder builder, FieldDescriptor field, String path) {
        if (field.isRepeated()) {
            List<?> items = value instanceof List<?> list ? list : List.of(value);
            for (int i = 0; i < items.size(); i++) {
                Object converted = convert(items.get(i), builder, field, path + "[" + i + "]");
                if (converted != null) {
                    builder.addRepeatedField(field, converted);
                }
            }
            return;
        }
        Object converted = convert(value, builder, field, path);
        if (converted != null) {
            builder.setField(field, converted);
        }
    }

    /** The value as the field's Java type, or null after recording a violation. */
    private Object convert(Object value, Message.Builder parent, FieldDescriptor field, String path) {
        return switch (field.getJavaType()) {
            case MESSAGE -> convertMessage(value, parent.newBuilderForField(field), path);
            case ENUM -> convertEnum(value, field.getEnumType(), path);
            case STRING -> value instanceof Map || value instanceof List
                    ? reject(path, "expected a string, got " + describe(value))
                    : String.valueOf(value);
            case BOOLEAN -> convertBoolean(value, path);
            case INT -> narrowInt(convertInteger(value, path), path);
            case LONG -> convertInteger(value, path);
            case DOUBLE -> convertDouble(value, path);
            case FLOAT -> {
                Double d = convertDouble(value, path);
                yield d == null ? null : d.floatValue();
            }
            case BYTE_STRING -> reject(path, "binary fields cannot be set from a config file");
        };
    }

    private Object convertMessage(Object value, Message.Builder builder, String path) {
        if (builder instanceof AutoInt.Builder auto) {
            if (isAuto(value)) {
                return auto.setAuto(true).build();
            }
            Integer number = narrowInt(convertIntegerOrAuto(value, path), path);
            return number == null ? null : auto.setValue(number).build();
        }
        if (builder instanceof AutoDouble.Builder auto) {
            if (isAuto(value)) {
                return auto.setAuto(true).build();
            }
            Double number = convertDoubleOrAuto(value, path);
            return number == null ? null : auto.setValue(number).build();
        }
        int before = violations.size();
        bindMessage(value, builder, path);
        return violations.size() == before ? builder.build() : null;
    }

    private static boolean isAuto(Object value) {
        return value instanceof String s && s.trim().equalsIgnoreCase("auto");
    }

    private Object convertEnum(Object value, EnumDescriptor type, String path) {
        if (value instanceof String name && !name.isBlank()) {
            String wanted = name.trim().toUpperCase(Locale.ROOT).replace('-', '_');
            String prefix = enumPrefix(type);
            for (EnumValueDescriptor candidate : type.getValues()) {
                boolean matches = candidate.getName().equals(wanted) || candidate.getName().equals(prefix + wanted);
                if (matches && candidate.getNumber() != 0) {
                    return candidate;
                }
            }
        }
        List<String> allowed = type.getValues().stream()
                .filter(v -> v.getNumber() != 0)
                .map(v -> v.getName().substring(enumPrefix(type).length()).toLowerCase(Locale.ROOT))
                .toList();
        return reject(path, "expected one of " + allowed + ", got " + describe(value));
    }

    /** {@code Precision} -> {@code "PRECISION_"}, the prefix the proto style guide puts on enum values. */
    private static String enumPrefix(EnumDescriptor type) {
        return type.getName().replaceAll("([a-z0-9])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT) + "_";
    }

    private Boolean convertBoolean(Object value, String path) {
        if (value instanceof Boolean b) {
            return b;
        }
        if (value instanceof String s && (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false"))) {
            return Boolean.parseBoolean(s);
        }
        return reject(path, "expected true or false, got " + describe(value));
    }

    private Long convertIntegerOrAuto(Object value, String path) {
        return convertIntegerAs(value, path, "expected \"auto\" or an integer, got ");
    }

    private Long convertInteger(Object value, String path) {
        return convertIntegerAs(value, path, "expected an integer, got ");
    }

    private Long convertIntegerAs(Object value, String path, String problem) {
        BigDecimal number = asDecimal(value);
        if (number != null) {
            try {
                return number.toBigIntegerExact().longValueExact();
            } catch (ArithmeticException notIntegral) {
                return reject(path, problem + describe(value));
            }
        }
        return reject(path, problem + describe(value));
    }

    private Integer narrowInt(Long value, String path) {
        if (value == null) {
            return null;
        }
        if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
            return reject(path, "must fit in 32 bits, got " + value);
        }
        return value.intValue();
    }

    private Double convertDoubleOrAuto(Object value, String path) {
        BigDecimal number = asDecimal(value);
        return number != null ? number.doubleValue() : reject(path, "expected \"auto\" or a number, got " + describe(value));
    }

    private Double convertDouble(Object value, String path) {
        BigDecimal number = asDecimal(value);
        return number != null ? number.doubleValue() : reject(path, "expected a number, got " + describe(value));
    }

    private static BigDecimal asDecimal(Object value) {
        if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
            return BigDecimal.valueOf(((Number) value).longValue());
        }
        if (value instanceof BigInteger big) {
            return new BigDecimal(big);
        }
        if (value instanceof Double || value instanceof Float) {
            double d = ((Number) value).doubleValue();
            return Double.isFinite(d) ? BigDecimal.valueOf(d) : null;
        }
        if (value instanceof BigDecimal decimal) {
            return decimal;
        }
        if (value instanceof String s) {
            try {
                return new BigDecimal(s.trim());
            } catch (NumberFormatException notANumber) {
                return null;
            }
        }
        return null;
    }

    private <T> T reject(String path, String description) {
        violations.add(new ConfigViolation(path, description));
        return null;
    }

    static String describe(Object value) {
        if (value instanceof String s) {
            return "\"" + s + "\"";
        }
        if (value instanceof Map<?, ?>) {
            return "a mapping";
        }
        if (value instanceof List<?>) {
            return "a list";
        }
        return String.valueOf(value);
    }
}
