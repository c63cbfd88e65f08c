package dev.jdpo.reference.cache;

import java.io.IOException;

/** The cache file cannot be opened: locked by another process, unreadable, or not a cache; names the file. */
public final class CacheOpenException extends IOException {

    public CacheOpenException(String message, Throwable cause) {
        super(message, cause);
    }
}
