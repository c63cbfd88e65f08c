package dev.jdpo.model.safetensors;

import dev.jdpo.model.StorageDType;
import java.util.Arrays;
import java.util.Optional;

/**
 * One tensor as a safetensors header describes it.
 *
 * @param name tensor name
 * @param dtypeName the header's dtype string, kept even when unsupported so errors can quote it
 * @param shape dimensions
 * @param begin start offset inside the data section
 * @param end end offset (exclusive) inside the data section
 */
public record TensorEntry(String name, String dtypeName, long[] shape, long begin, long end) {

    public TensorEntry {
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    public Optional<StorageDType> dtype() {
        return StorageDType.fromSafetensors(dtypeName);
    }

    public long elementCount() {
        long count = 1;
        for (long dim : shape) {
            count = Math.multiplyExact(count, dim);
        }
        return count;
    }

    public long byteLength() {
        return end - begin;
    }

    @Override
    public String toString() {
        return name + " " + dtypeName + Arrays.toString(shape);
    }
}
