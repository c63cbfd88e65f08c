package dev.jdpo.tokenizer.pipeline;

import java.nio.ByteBuffer;

/**
 * Remembers 128 bits of each pair's content hash in an open-addressing table of longs: 16 bytes a pair keeps
 * duplicate removal within bounded memory on large files (1M pairs ~ 32 MB at most), with a collision chance
 * around 1e-27 per pair.
 */
final class DuplicateFilter {

    private long[] table = new long[2 * 1024];
    private int size;

    /** Adds the hash; false when it was already present. */
    boolean add(byte[] digest) {
        ByteBuffer b = ByteBuffer.wrap(digest);
        long hi = b.getLong();
        long lo = b.getLong();
        if (hi == 0 && lo == 0) {
            lo = 1;
        }
        if (2 * (size + 1) > table.length / 2) {
            grow();
        }
        return insert(table, hi, lo);
    }

    private boolean insert(long[] into, long hi, long lo) {
        int slots = into.length / 2;
        int slot = (int) ((lo ^ (lo >>> 32)) & (slots - 1));
        while (into[2 * slot] != 0 || into[2 * slot + 1] != 0) {
            if (into[2 * slot] == hi && into[2 * slot + 1] == lo) {
                return false;
            }
            slot = (slot + 1) & (slots - 1);
        }
        into[2 * slot] = hi;
        into[2 * slot + 1] = lo;
        if (into == table) {
            size++;
        }
        return true;
    }

    private void grow() {
        long[] old = table;
        table = new long[old.length * 2];
        size = 0;
        for (int i = 0; i < old.length; i += 2) {
            if (old[i] != 0 || old[i + 1] != 0) {
                insert(table, old[i], old[i + 1]);
            }
        }
    }
}
