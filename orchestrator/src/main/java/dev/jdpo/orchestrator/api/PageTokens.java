package dev.jdpo.orchestrator.api;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** Paging of the List calls: page sizes, and opaque page tokens (the ordinal to continue below, base64-encoded). */
final class PageTokens {

    private static final String PREFIX = "runs-before:";
    private static final int DEFAULT_PAGE_SIZE = 20;
    private static final int MAX_PAGE_SIZE = 100;

    private PageTokens() {
    }

    static String encode(long beforeOrdinal) {
        return beforeOrdinal <= 0 ? "" : Base64.getUrlEncoder().withoutPadding()
                .encodeToString((PREFIX + beforeOrdinal).getBytes(StandardCharsets.UTF_8));
    }

    /** The page size a request's {@code page_size} asks for (0: the default). */
    static int size(int requested) {
        int size = requested == 0 ? DEFAULT_PAGE_SIZE : requested;
        if (size < 1 || size > MAX_PAGE_SIZE) {
            throw ApiErrors.invalidArgument("page_size", "must be in 1.." + MAX_PAGE_SIZE + " (0 means "
                    + DEFAULT_PAGE_SIZE + "), got " + requested);
        }
        return size;
    }

    /** The ordinal a {@code call}'s page token continues below: Long.MAX_VALUE for the first page. */
    static long before(String token, String call) {
        long before = decode(token);
        if (before < 0) {
            throw ApiErrors.invalidArgument("page_token", "not a token from a previous " + call + " response");
        }
        return before;
    }

    /** -1 for a token this server did not make. */
    private static long decode(String token) {
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
