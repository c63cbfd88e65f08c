package dev.jdpo.trainer.config;

import java.util.Locale;

/** What a run optimizes ({@code training.method}): preference pairs (DPO and its relatives) or SFT. */
public enum TrainingMethod {
    /** The configured preference losses over chosen and rejected completions. */
    DPO("dpo"),
    /** Token-mean NLL of the completions only (TRL's SFTTrainer with completion_only_loss); no reference. */
    SFT("sft");

    private final String wireName;

    TrainingMethod(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    /** Parses {@code training.method}; empty means dpo. */
    public static TrainingMethod parse(String name) {
        String wanted = name == null ? "" : name.strip().toLowerCase(Locale.ROOT);
        if (wanted.isEmpty()) {
            return DPO;
        }
        for (TrainingMethod method : values()) {
            if (method.wireName.equals(wanted)) {
                return method;
            }
        }
        throw new InvalidConfigException("training.method", "unknown method '" + name + "', expected sft or dpo");
    }

    /** Whether {@code name} selects SFT, for filling defaults before the config is validated. */
    public static boolean isSft(String name) {
        return name != null && name.strip().equalsIgnoreCase(SFT.wireName);
    }

    @Override
    public String toString() {
        return wireName;
    }
}
