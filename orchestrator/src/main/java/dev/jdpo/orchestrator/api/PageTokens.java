package dev.jdpo.orchestrator.api;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** Opaque ListRuns page tokens: the run ordinal to continue below, base64-encoded. */
final class PageTokens {

    private static final String PREFIX = "runs-before:";

    private PageTokens() {
    }

    static String encode(long beforeOrdinal) {
        return beforeOrdinal <= 0 ? "" : Base64.getUrlEncoder().withoutPadding()
                .encodeToString((PREFIX + beforeOrdinal).getBytes(StandardCharsets.UTF_8));
    }

    /** Long.MAX_VALUE for the first page; -1 for a token this server did not make. */
    static long decode(String token) {
        if (token.isEmpty()) {
            return Long.MAX_VALUE;
        }
        try {
            String text = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
            if (!text.startsWith(PREFIX)) {
                return -1;
            }
            long ordinal = Long.parseLong(text.substring(PREFIX.length()));
            return ordinal > 0 ? ordinal : -1;
        } catch (IllegalArgumentException malformed) {
            return -1;
        }
    }
}
