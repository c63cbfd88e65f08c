package dev.jdpo.orchestrator.state;

import java.util.List;

/** A page of a list, newest first, and the ordinal to continue below (0 when this is the last page). */
public record Page<T>(List<T> items, long nextBeforeOrdinal) {
}
