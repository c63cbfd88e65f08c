package dev.jdpo.trainer.config;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The selectable loss terms, with TRL's {@code loss_type} names. */
public enum LossType {
    SIGMOID("sigmoid", true),
    HINGE("hinge", true),
    IPO("ipo", true),
    EXO_PAIR("exo_pair", true),
    NCA_PAIR("nca_pair", true),
    ROBUST("robust", true),
    BCO_PAIR("bco_pair", true),
    SPPO_HARD("sppo_hard", true),
    AOT("aot", true),
    AOT_UNPAIRED("aot_unpaired", true),
    APO_ZERO("apo_zero", true),
    APO_DOWN("apo_down", true),
    DISCOPOP("discopop", true),
    SIGMOID_NORM("sigmoid_norm", true),
    SFT("sft", false),
    SIMPO("simpo", false),
    ORPO("orpo", false);

    private final String wireName;
    private final boolean needsReference;

    LossType(String wireName, boolean needsReference) {
        this.wireName = wireName;
        this.needsReference = needsReference;
    }

    /** TRL's name, e.g. {@code sigmoid_norm}. */
    public String wireName() {
        return wireName;
    }

    /** Whether the loss reads reference log-probs (every one except sft, simpo and orpo). */
    public boolean needsReference() {
        return needsReference;
    }

    /** Parses a TRL loss name; an unknown name is refused naming the {@code loss_type} field. */
    public static LossType parse(String name) {
        for (LossType type : values()) {
            if (type.wireName.equals(name.trim())) {
                return type;
            }
        }
        throw new InvalidConfigException("training.loss_types", "unknown loss '" + name + "', expected one of "
                + Arrays.stream(values()).map(LossType::wireName).collect(Collectors.joining(", ")));
    }

    @Override
    public String toString() {
        return wireName;
    }
}
