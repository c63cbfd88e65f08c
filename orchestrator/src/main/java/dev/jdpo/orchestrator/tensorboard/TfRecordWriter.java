package dev.jdpo.orchestrator.tensorboard;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * TFRecord framing, the container of TensorBoard event files: per record the data's length (uint64), a masked
 * CRC32C of those 8 bytes, the data, and a masked CRC32C of the data, all little-endian.
 */
final class TfRecordWriter {

    // TensorFlow masks its CRCs so that a CRC of data that itself holds CRCs stays well distributed
    private static final int MASK_DELTA = 0xa282ead8;

    private final OutputStream out;

    TfRecordWriter(OutputStream out) {
        this.out = out;
    }

    void write(byte[] data) throws IOException {
        ByteBuffer length = ByteBuffer.allocate(Long.BYTES).order(ByteOrder.LITTLE_ENDIAN).putLong(data.length);
        out.write(length.array());
        out.write(littleEndian(maskedCrc32c(length.array())));
        out.write(data);
        out.write(littleEndian(maskedCrc32c(data)));
    }

    static int maskedCrc32c(byte[] data) {
        CRC32C crc = new CRC32C();
        crc.update(data);
        int value = (int) crc.getValue();
        return ((value >>> 15) | (value << 17)) + MASK_DELTA;
    }

    private static byte[] littleEndian(int value) {
        return ByteBuffer.allocate(Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN).putInt(value).array();
    }
}
