package dev.jdpo.reference.cache;

import dev.jdpo.model.logprob.PairLogProbs;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * Byte layout of one cache value: format, flags, last-use time, the two sums and token counts, optional per-token
 * log-probs, then a CRC32C over the key and everything before it (so a value moved under another key also fails).
 */
final class CacheEntryCodec {

    private static final byte FORMAT = 1;
    private static final byte FLAG_TOKEN_LOGPS = 1;
    private static final int HEADER_BYTES = 1 + 1 + 8 + 8 + 8 + 4 + 4;
    private static final int CRC_BYTES = 4;

    /** A decoded value. */
    record Entry(PairLogProbs logProbs, long lastUsedMillis) { }

    private CacheEntryCodec() {
    }

    static byte[] encode(byte[] key, PairLogProbs p, long lastUsedMillis) {
        int tokenBytes = p.hasTokenLogps() ? 4 * (p.chosenTokens() + p.rejectedTokens()) : 0;
        ByteBuffer buf = ByteBuffer.allocate(HEADER_BYTES + tokenBytes + CRC_BYTES);
        buf.put(FORMAT).put(p.hasTokenLogps() ? FLAG_TOKEN_LOGPS : 0).putLong(lastUsedMillis)
                .putDouble(p.chosenLogp()).putDouble(p.rejectedLogp())
                .putInt(p.chosenTokens()).putInt(p.rejectedTokens());
        if (p.hasTokenLogps()) {
            for (float f : p.chosenTokenLogps()) {
                buf.putFloat(f);
            }
            for (float f : p.rejectedTokenLogps()) {
                buf.putFloat(f);
            }
        }
        buf.putInt(crc(key, buf.array(), buf.position()));
        return buf.array();
    }

    static Entry decode(byte[] key, byte[] value) throws CorruptEntryException {
        if (value.length < HEADER_BYTES + CRC_BYTES) {
            throw new CorruptEntryException("value is " + value.length + " bytes, shorter than any valid entry");
        }
        int bodyLength = value.length - CRC_BYTES;
        int stored = ByteBuffer.wrap(value, bodyLength, CRC_BYTES).getInt();
        if (stored != crc(key, value, bodyLength)) {
            throw new CorruptEntryException("CRC32C mismatch");
        }
        try {
            ByteBuffer buf = ByteBuffer.wrap(value, 0, bodyLength);
            byte format = buf.get();
            if (format != FORMAT) {
                throw new CorruptEntryException("unknown value format " + format);
            }
            boolean tokens = (buf.get() & FLAG_TOKEN_LOGPS) != 0;
            long lastUsed = buf.getLong();
            double chosen = buf.getDouble();
            double rejected = buf.getDouble();
            int chosenTokens = buf.getInt();
            int rejectedTokens = buf.getInt();
            int expectedLength = HEADER_BYTES + (tokens ? 4 * (chosenTokens + rejectedTokens) : 0);
            if (chosenTokens < 0 || rejectedTokens < 0 || expectedLength != bodyLength) {
                throw new CorruptEntryException("token counts " + chosenTokens + "/" + rejectedTokens
                        + " do not match the value length " + value.length);
            }
            float[] chosenLogps = tokens ? floats(buf, chosenTokens) : null;
            float[] rejectedLogps = tokens ? floats(buf, rejectedTokens) : null;
            return new Entry(new PairLogProbs(chosen, rejected, chosenTokens, rejectedTokens, chosenLogps, rejectedLogps),
                    lastUsed);
        } catch (BufferUnderflowException e) {
            throw new CorruptEntryException("value ends early");
        }
    }

    private static float[] floats(ByteBuffer buf, int n) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = buf.getFloat();
        }
        return out;
    }

    private static int crc(byte[] key, byte[] body, int length) {
        CRC32C crc = new CRC32C();
        crc.update(key);
        crc.update(body, 0, length);
        return (int) crc.getValue();
    }
}
