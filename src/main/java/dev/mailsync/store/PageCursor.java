package dev.mailsync.store;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;

/**
 * Opaque keyset cursor: the (created_at, id) of the last row of the previous page. Clients must not
 * parse it; a cursor that does not decode is refused with {@link IllegalArgumentException}.
 */
record PageCursor(Instant createdAt, String id) {

    String encode() {
        String raw = createdAt.getEpochSecond() + "." + createdAt.getNano() + "|" + id;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }

    static PageCursor decode(String cursor) {
        try {
            String raw = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            int bar = raw.indexOf('|');
            String[] time = raw.substring(0, bar).split("\\.");
            String id = raw.substring(bar + 1);
            if (time.length != 2 || id.isEmpty()) {
                throw new IllegalArgumentException("not a cursor");
            }
            return new PageCursor(Instant.ofEpochSecond(Long.parseLong(time[0]), Long.parseLong(time[1])), id);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("cursor is not one this service issued", e);
        }
    }
}
