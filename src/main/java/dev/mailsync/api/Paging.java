package dev.mailsync.api;

import dev.mailsync.service.InvalidInputException;

/** The {@code limit} query parameter of every list: 1 to 200, 50 when absent. */
final class Paging {
    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 200;

    private Paging() {}

    static int limit(String raw) {
        return parse(raw, DEFAULT_LIMIT, MAX_LIMIT);
    }

    /** limit of deltas and views: 1 to mailsync.sync.max-page, 500 when absent. */
    static int deltaLimit(String raw, dev.mailsync.config.MailsyncConfig config) {
        int max = config.sync().maxPage();
        return parse(raw, Math.min(500, max), max);
    }

    private static int parse(String raw, int fallback, int max) {
        if (raw == null) {
            return fallback;
        }
        try {
            int limit = Integer.parseInt(raw.trim());
            if (limit >= 1 && limit <= max) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // fall through to the one error below
        }
        throw new InvalidInputException("limit", "must be an integer between 1 and " + max);
    }
}
