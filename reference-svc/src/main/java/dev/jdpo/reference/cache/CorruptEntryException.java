package dev.jdpo.reference.cache;

/** A stored cache value that fails its checksum or does not parse; it is dropped and the pair rescored. */
final class CorruptEntryException extends Exception {

    CorruptEntryException(String message) {
        super(message);
    }
}
