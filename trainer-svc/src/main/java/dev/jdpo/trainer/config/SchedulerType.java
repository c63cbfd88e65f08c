package dev.jdpo.trainer.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Learning-rate decay after warmup, as in transformers' {@code get_*_schedule_with_warmup}. */
public enum SchedulerType {
    CONSTANT,
    LINEAR,
    COSINE;

    /** Parses "constant", "linear" or "cosine"; anything else is refused naming the field. */
    public static SchedulerType parse(String field, String value) {
        for (SchedulerType type : values()) {
            if (type.wireName().equals(value.trim().toLowerCase(Locale.ROOT))) {
                return type;
            }
        }
        throw new InvalidConfigException(field, "unknown scheduler '" + value + "', expected one of "
                + Arrays.stream(values()).map(SchedulerType::wireName).collect(Collectors.joining(", ")));
    }

    /** The lower-case name used on the command line and in trainer_state.json. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
