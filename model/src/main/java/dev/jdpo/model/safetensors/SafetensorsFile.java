package dev.jdpo.model.safetensors;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.jdpo.model.ModelLoadException;
import dev.jdpo.model.StorageDType;
import dev.jdpo.model.tensor.OwnedTensors;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.MappedByteBuffer;
import java.nio.ShortBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads one safetensors file: the header is parsed with long offsets, each tensor is memory-mapped on demand
 * and converted to FP32 in Java (BF16 and F16 never reach the engine), in row chunks so no buffer exceeds
 * {@code Integer.MAX_VALUE} bytes whatever the tensor's size.
 */
public final class SafetensorsFile {

    /** The format's own cap on the header (safetensors rejects larger ones too). */
    private static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;
    /** Default upper bound of one staging chunk in FP32 bytes. */
    static final int DEFAULT_CHUNK_BYTES = 64 * 1024 * 1024;

    private final Path path;
    private final long dataStart;
    private final long dataLength;
    private final Map<String, TensorEntry> entries;

    private SafetensorsFile(Path path, long dataStart, long dataLength, Map<String, TensorEntry> entries) {
        this.path = path;
        this.dataStart = dataStart;
        this.dataLength = dataLength;
        this.entries = entries;
    }

    /** Parses and validates the header; every offset is checked against the file size here. */
    public static SafetensorsFile open(Path path) throws ModelLoadException {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size < 8) {
                throw new ModelLoadException(path + ": truncated safetensors file (" + size
                        + " bytes, not even the 8-byte header length)");
            }
            ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, lengthBytes, 0);
            long headerLength = lengthBytes.flip().getLong();
            if (headerLength <= 0 || headerLength > MAX_HEADER_BYTES || headerLength > size - 8) {
                throw new ModelLoadException(path + ": truncated or corrupt safetensors file: header length "
                        + headerLength + " does not fit in the file's " + size + " bytes");
            }
            ByteBuffer header = ByteBuffer.allocate((int) headerLength);
            readFully(channel, header, 8);
            String json = new String(header.array(), StandardCharsets.UTF_8);
            long dataLength = size - 8 - headerLength;
            return new SafetensorsFile(path, 8 + headerLength, dataLength, parseHeader(path, json, dataLength));
        } catch (IOException e) {
            throw new ModelLoadException(path + ": cannot read safetensors file: " + e.getMessage(), e);
        }
    }

    public Path path() {
        return path;
    }

    /** Tensors in header order. */
    public Map<String, TensorEntry> entries() {
        return Collections.unmodifiableMap(entries);
    }

    /** Reads a tensor as an FP32 array on {@code manager}'s device. */
    public NDArray read(String name, NDManager manager) throws ModelLoadException {
        return read(name, manager, DEFAULT_CHUNK_BYTES);
    }

    /** As {@link #read(String, NDManager)}, staging at most about {@code chunkBytes} of FP32 at a time. */
    NDArray read(String name, NDManager manager, int chunkBytes) throws ModelLoadException {
        TensorEntry entry = entries.get(name);
        if (entry == null) {
            throw new ModelLoadException(path + ": no tensor " + name);
        }
        StorageDType dtype = entry.dtype().orElseThrow(() -> new ModelLoadException(path + ": tensor " + name
                + " has dtype " + entry.dtypeName() + "; supported dtypes are F32, F16 and BF16"));
        Shape shape = new Shape(entry.shape());
        long elements = entry.elementCount();
        if (elements == 0) {
            return manager.zeros(shape, DataType.FLOAT32);
        }
        long rows = shape.dimension() == 0 ? 1 : shape.get(0);
        long rowElements = elements / rows;
        long rowFloatBytes = rowElements * 4;
        if (rowFloatBytes > Integer.MAX_VALUE) {
            throw new ModelLoadException(path + ": tensor " + name + " has rows of " + rowFloatBytes
                    + " bytes in FP32; rows over 2 GiB are not supported");
        }
        long rowsPerChunk = Math.max(1, chunkBytes / rowFloatBytes);
        // one staging buffer for every chunk of the tensor, freed when it is read
        ByteBuffer staging = ByteBuffer.allocateDirect((int) (Math.min(rows, rowsPerChunk) * rowFloatBytes))
                .order(ByteOrder.nativeOrder());
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            if (rowsPerChunk >= rows) {
                return readRows(channel, entry, dtype, 0, rows, rowElements, manager, staging);
            }
            NDArray result = manager.zeros(shape, DataType.FLOAT32);
            try {
                for (long start = 0; start < rows; start += rowsPerChunk) {
                    long end = Math.min(rows, start + rowsPerChunk);
                    try (NDArray chunk = readRows(channel, entry, dtype, start, end, rowElements, manager, staging)) {
                        result.set(new NDIndex("{}:{}", start, end), chunk);
                    }
                }
                return result;
            } catch (IOException | RuntimeException e) {
                result.close();
                throw e;
            }
        } catch (IOException e) {
            throw new ModelLoadException(path + ": cannot read tensor " + name + ": " + e.getMessage(), e);
        } finally {
            DirectBuffers.release(staging);
        }
    }

    /** Raw FP32 values of a tensor (small tensors; used for checks and tests). */
    public float[] readFloats(String name) throws ModelLoadException {
        TensorEntry entry = entries.get(name);
        if (entry == null) {
            throw new ModelLoadException(path + ": no tensor " + name);
        }
        StorageDType dtype = entry.dtype().orElseThrow(() -> new ModelLoadException(
                path + ": tensor " + name + " has unsupported dtype " + entry.dtypeName()));
        long elements = entry.elementCount();
        if (elements * 4 > Integer.MAX_VALUE) {
            throw new ModelLoadException(path + ": tensor " + name + " is too large for a Java array");
        }
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            ByteBuffer floats = ByteBuffer.allocate((int) elements * 4).order(ByteOrder.nativeOrder());
            MappedByteBuffer source = map(channel, entry.begin(), entry.byteLength());
            convert(source, dtype, floats.asFloatBuffer());
            DirectBuffers.release(source);
            float[] out = new float[(int) elements];
            floats.asFloatBuffer().get(out);
            return out;
        } catch (IOException e) {
            throw new ModelLoadException(path + ": cannot read tensor " + name + ": " + e.getMessage(), e);
        }
    }

    /** Rows {@code [startRow, endRow)} as a tensor libtorch owns, staged in {@code staging} (reused after). */
    private NDArray readRows(FileChannel channel, TensorEntry entry, StorageDType dtype, long startRow, long endRow,
                             long rowElements, NDManager manager, ByteBuffer staging) throws IOException {
        long count = (endRow - startRow) * rowElements;
        long offset = entry.begin() + startRow * rowElements * dtype.bytes();
        MappedByteBuffer source = map(channel, offset, count * dtype.bytes());
        staging.clear().limit((int) (count * 4));
        convert(source, dtype, staging.asFloatBuffer());
        // unmapped now: mapped pages count as resident until a GC would unmap them
        DirectBuffers.release(source);
        long[] dims = entry.shape();
        Shape shape = dims.length == 0 ? new Shape() : chunkShape(dims, endRow - startRow);
        return OwnedTensors.of(manager, staging, shape);
    }

    private static Shape chunkShape(long[] dims, long rows) {
        long[] chunk = dims.clone();
        chunk[0] = rows;
        return new Shape(chunk);
    }

    private MappedByteBuffer map(FileChannel channel, long offset, long length) throws IOException {
        MappedByteBuffer buffer = channel.map(FileChannel.MapMode.READ_ONLY, dataStart + offset, length);
        buffer.order(ByteOrder.LITTLE_ENDIAN);
        return buffer;
    }

    private static void convert(ByteBuffer source, StorageDType dtype, FloatBuffer target) {
        switch (dtype) {
            case F32 -> target.put(source.asFloatBuffer());
            case F16 -> {
                ShortBuffer halves = source.asShortBuffer();
                while (halves.hasRemaining()) {
                    target.put(HalfFloats.f16ToFloat(halves.get()));
                }
            }
            case BF16 -> {
                ShortBuffer halves = source.asShortBuffer();
                while (halves.hasRemaining()) {
                    target.put(HalfFloats.bf16ToFloat(halves.get()));
                }
            }
            default -> throw new IllegalStateException("unhandled dtype " + dtype);
        }
    }

    private static Map<String, TensorEntry> parseHeader(Path path, String json, long dataLength)
            throws ModelLoadException {
        JsonObject header;
        try {
            JsonElement parsed = JsonParser.parseString(json.strip());
            if (!parsed.isJsonObject()) {
                throw new ModelLoadException(path + ": safetensors header is not a JSON object");
            }
            header = parsed.getAsJsonObject();
        } catch (JsonParseException e) {
            throw new ModelLoadException(path + ": safetensors header is not valid JSON: " + e.getMessage(), e);
        }
        Map<String, TensorEntry> entries = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> field : header.entrySet()) {
            if (field.getKey().equals("__metadata__")) {
                continue;
            }
            TensorEntry entry = parseEntry(path, field.getKey(), field.getValue());
            checkBounds(path, entry, dataLength);
            entries.put(entry.name(), entry);
        }
        checkNoOverlap(path, entries.values());
        return entries;
    }

    /** Two tensors sharing bytes would alias each other's weights, as no writer produces them: a forged file. */
    private static void checkNoOverlap(Path path, Collection<TensorEntry> entries) throws ModelLoadException {
        List<TensorEntry> byBegin = entries.stream().filter(e -> e.byteLength() > 0)
                .sorted(Comparator.comparingLong(TensorEntry::begin)).toList();
        for (int i = 1; i < byBegin.size(); i++) {
            TensorEntry previous = byBegin.get(i - 1);
            TensorEntry next = byBegin.get(i);
            if (next.begin() < previous.end()) {
                throw new ModelLoadException(path + ": tensors " + previous.name() + " [" + previous.begin() + ", "
                        + previous.end() + ") and " + next.name() + " [" + next.begin() + ", " + next.end()
                        + ") overlap in the data section (corrupt or forged file)");
            }
        }
    }

    private static TensorEntry parseEntry(Path path, String name, JsonElement value) throws ModelLoadException {
        String where = path + ": tensor " + name;
        try {
            JsonObject object = value.getAsJsonObject();
            String dtype = object.get("dtype").getAsString();
            JsonArray shapeJson = object.getAsJsonArray("shape");
            long[] shape = new long[shapeJson.size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = shapeJson.get(i).getAsLong();
                if (shape[i] < 0) {
                    throw new ModelLoadException(where + ": negative dimension in shape " + shapeJson);
                }
            }
            JsonArray offsets = object.getAsJsonArray("data_offsets");
            if (offsets.size() != 2) {
                throw new ModelLoadException(where + ": data_offsets must hold 2 numbers, got " + offsets);
            }
            return new TensorEntry(name, dtype, shape, offsets.get(0).getAsLong(), offsets.get(1).getAsLong());
        } catch (RuntimeException e) {
            throw new ModelLoadException(where + ": malformed header entry " + value
                    + " (needs dtype, shape and data_offsets)", e);
        }
    }

    private static void checkBounds(Path path, TensorEntry entry, long dataLength) throws ModelLoadException {
        String where = path + ": tensor " + entry.name();
        if (entry.begin() < 0 || entry.end() < entry.begin() || entry.end() > dataLength) {
            throw new ModelLoadException(where + ": header offsets [" + entry.begin() + ", " + entry.end()
                    + "] overrun the data section of " + dataLength + " bytes (truncated or corrupt file)");
        }
        long elements;
        try {
            elements = entry.elementCount();
        } catch (ArithmeticException e) {
            throw new ModelLoadException(where + ": shape overflows a 64-bit element count", e);
        }
        Optional<StorageDType> dtype = entry.dtype();
        if (dtype.isPresent() && elements * dtype.get().bytes() != entry.byteLength()) {
            throw new ModelLoadException(where + ": " + entry.dtypeName() + " shape "
                    + Arrays.toString(entry.shape()) + " needs " + elements * dtype.get().bytes()
                    + " bytes but data_offsets span " + entry.byteLength());
        }
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        long at = position;
        while (buffer.hasRemaining()) {
            int read = channel.read(buffer, at);
            if (read < 0) {
                throw new IOException("unexpected end of file at byte " + at);
            }
            at += read;
        }
    }
}
