package dev.jdpo.model.safetensors;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.jdpo.model.StorageDType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.ShortBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/**
 * Writes one safetensors file: {@code {"__metadata__":{"format":"pt"}}} first, the header padded with spaces to
 * 8 bytes, then each tensor streamed in row chunks, converted from FP32 in Java. The file appears atomically.
 */
public final class SafetensorsWriter {

    private static final int CHUNK_BYTES = 64 * 1024 * 1024;

    private SafetensorsWriter() {
    }

    /** Bytes a tensor of {@code elements} takes in {@code dtype}. */
    public static long byteSize(NDArray array, StorageDType dtype) {
        return array.getShape().size() * dtype.bytes();
    }

    /** Writes {@code tensors} (FP32 arrays, in map order) to {@code file} as {@code dtype}. */
    public static void write(Path file, Map<String, NDArray> tensors, StorageDType dtype) throws IOException {
        byte[] header = header(tensors, dtype);
        Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            ByteBuffer prefix = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length);
            writeFully(channel, prefix.flip());
            writeFully(channel, ByteBuffer.wrap(header));
            for (NDArray array : tensors.values()) {
                writeTensor(channel, array, dtype);
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temporary);
            throw e;
        }
        Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static byte[] header(Map<String, NDArray> tensors, StorageDType dtype) {
        JsonObject header = new JsonObject();
        JsonObject metadata = new JsonObject();
        metadata.addProperty("format", "pt");
        header.add("__metadata__", metadata);
        long offset = 0;
        for (Map.Entry<String, NDArray> tensor : tensors.entrySet()) {
            long length = byteSize(tensor.getValue(), dtype);
            JsonObject entry = new JsonObject();
            entry.addProperty("dtype", dtype.name());
            JsonArray shape = new JsonArray();
            for (long dim : tensor.getValue().getShape().getShape()) {
                shape.add(dim);
            }
            entry.add("shape", shape);
            JsonArray offsets = new JsonArray();
            offsets.add(offset);
            offsets.add(offset + length);
            entry.add("data_offsets", offsets);
            header.add(tensor.getKey(), entry);
            offset += length;
        }
        StringBuilder json = new StringBuilder(new Gson().toJson(header));
        // pad so the data section starts 8-byte aligned (8-byte length prefix + header)
        while (json.toString().getBytes(StandardCharsets.UTF_8).length % 8 != 0) {
            json.append(' ');
        }
        return json.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void writeTensor(FileChannel channel, NDArray array, StorageDType dtype) throws IOException {
        long elements = array.getShape().size();
        if (elements == 0) {
            return;
        }
        long rows = array.getShape().dimension() == 0 ? 1 : array.getShape().get(0);
        long rowElements = elements / rows;
        long rowsPerChunk = Math.max(1, CHUNK_BYTES / (rowElements * 4));
        if (rowsPerChunk >= rows) {
            writeChunk(channel, array, dtype);
            return;
        }
        for (long start = 0; start < rows; start += rowsPerChunk) {
            try (NDArray chunk = array.get(new NDIndex("{}:{}", start, Math.min(rows, start + rowsPerChunk)))) {
                writeChunk(channel, chunk, dtype);
            }
        }
    }

    private static void writeChunk(FileChannel channel, NDArray chunk, StorageDType dtype) throws IOException {
        NDArray floats = chunk.getDataType() == DataType.FLOAT32 ? chunk : chunk.toType(DataType.FLOAT32, false);
        try {
            FloatBuffer source = floats.toByteBuffer().order(ByteOrder.nativeOrder()).asFloatBuffer();
            ByteBuffer out = ByteBuffer.allocate(source.remaining() * dtype.bytes()).order(ByteOrder.LITTLE_ENDIAN);
            switch (dtype) {
                case F32 -> out.asFloatBuffer().put(source);
                case F16 -> {
                    ShortBuffer halves = out.asShortBuffer();
                    while (source.hasRemaining()) {
                        halves.put(HalfFloats.floatToF16(source.get()));
                    }
                }
                case BF16 -> {
                    ShortBuffer halves = out.asShortBuffer();
                    while (source.hasRemaining()) {
                        halves.put(HalfFloats.floatToBf16(source.get()));
                    }
                }
                default -> throw new IllegalStateException("unhandled dtype " + dtype);
            }
            writeFully(channel, out);
        } finally {
            if (floats != chunk) {
                floats.close();
            }
        }
    }

    private static void writeFully(FileChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }
}
