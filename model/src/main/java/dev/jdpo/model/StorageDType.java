package dev.jdpo.model;

import java.util.Locale;
import java.util.Optional;

/** Element type of tensors in a safetensors file; BF16 exists only here, never as an NDArray. */
public enum StorageDType {
    F32(4, "float32"),
    F16(2, "float16"),
    BF16(2, "bfloat16");

    private final int bytes;
    private final String torchName;

    StorageDType(int bytes, String torchName) {
        this.bytes = bytes;
        this.torchName = torchName;
    }

    public int bytes() {
        return bytes;
    }

    /** The name config.json uses in {@code torch_dtype} / {@code dtype}. */
    public String torchName() {
        return torchName;
    }

    /** The type a safetensors header names ("F32", "F16", "BF16"), if supported. */
    public static Optional<StorageDType> fromSafetensors(String name) {
        for (StorageDType type : values()) {
            if (type.name().equals(name)) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }

    /** The type config.json names ("float32", "bfloat16", ...), if supported. */
    public static Optional<StorageDType> fromTorchName(String name) {
        String lower = name.toLowerCase(Locale.ROOT).replace("torch.", "");
        for (StorageDType type : values()) {
            if (type.torchName.equals(lower)) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }
}
