package dev.jdpo.model;

/**
 * How to write a model directory.
 *
 * @param dtype element type of the saved tensors; null keeps the source checkpoint's dtype
 * @param maxShardBytes largest safetensors file before the checkpoint is split into shards with an index
 */
public record SaveOptions(StorageDType dtype, long maxShardBytes) {

    /** Transformers' long-standing default shard limit (5 GB). */
    public static final long DEFAULT_MAX_SHARD_BYTES = 5_000_000_000L;

    public SaveOptions {
        if (maxShardBytes <= 0) {
            throw new IllegalArgumentException("maxShardBytes must be positive, got " + maxShardBytes);
        }
    }

    /** Source dtype, 5 GB shards. */
    public static SaveOptions defaults() {
        return new SaveOptions(null, DEFAULT_MAX_SHARD_BYTES);
    }
}
