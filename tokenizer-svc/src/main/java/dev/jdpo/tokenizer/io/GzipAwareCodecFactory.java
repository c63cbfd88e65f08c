package dev.jdpo.tokenizer.io;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.zip.GZIPInputStream;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.compression.CompressionCodecFactory;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;

/**
 * Parquet's codecs with GZIP decoded by the JDK: parquet-java looks GZIP up as Hadoop's GzipCodec, which the
 * Hadoop stand-ins of parquet-floor do not provide (NoSuchMethodError). The other codecs stay parquet-java's own.
 */
final class GzipAwareCodecFactory implements CompressionCodecFactory {

    private final CompressionCodecFactory delegate;

    GzipAwareCodecFactory(CompressionCodecFactory delegate) {
        this.delegate = delegate;
    }

    @Override
    public BytesInputCompressor getCompressor(CompressionCodecName codec) {
        return delegate.getCompressor(codec);
    }

    @Override
    public BytesInputDecompressor getDecompressor(CompressionCodecName codec) {
        return codec == CompressionCodecName.GZIP ? new Gunzip() : delegate.getDecompressor(codec);
    }

    @Override
    public void release() {
        delegate.release();
    }

    /** A GZIP page (one or more gzip members) inflated into exactly {@code uncompressedSize} bytes. */
    private static final class Gunzip implements BytesInputDecompressor {

        @Override
        public BytesInput decompress(BytesInput bytes, int uncompressedSize) throws IOException {
            return BytesInput.from(inflate(bytes.toInputStream(), uncompressedSize));
        }

        @Override
        public void decompress(ByteBuffer input, int compressedSize, ByteBuffer output, int uncompressedSize)
                throws IOException {
            ByteBuffer slice = input.slice();
            slice.limit(compressedSize);
            byte[] compressed = new byte[compressedSize];
            slice.get(compressed);
            output.put(inflate(new ByteArrayInputStream(compressed), uncompressedSize));
        }

        private static byte[] inflate(InputStream compressed, int uncompressedSize) throws IOException {
            try (GZIPInputStream in = new GZIPInputStream(compressed)) {
                byte[] out = in.readNBytes(uncompressedSize);
                if (out.length != uncompressedSize || in.read() != -1) {
                    throw new IOException("GZIP page does not inflate to its declared " + uncompressedSize + " bytes");
                }
                return out;
            }
        }

        @Override
        public void release() {
        }
    }
}
