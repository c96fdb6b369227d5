package dev.mailsync.api;

import dev.mailsync.service.InvalidInputException;

/** The {@code limit} query parameter of every list: 1 to 200, 50 when absent. */
final class Paging {
    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 200;

    private Paging() {}

    static int limit(String raw) {
        if (raw == null) {
            return DEFAULT_LIMIT;
        }
        try {
            int limit = Integer.parseInt(raw.trim());
            if (limit >= 1 && limit <= MAX_LIMIT) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // fall through to the one error below
        }
        throw new InvalidInputException("limit", "must be an integer between 1 and " + MAX_LIMIT);
    }
}
