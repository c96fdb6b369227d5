package dev.mailsync.sync;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The opaque state string a device holds: "everything of this device's view up to change number
 * {@code seq} of the account". Bound to one device so a token cannot be replayed by another.
 */
public record StateToken(String deviceId, long seq) {
    private static final String VERSION = "s1";

    public StateToken {
        if (seq < 0) {
            throw new IllegalArgumentException("seq must not be negative");
        }
    }

    public String encode() {
        String raw = VERSION + ":" + deviceId + ":" + seq;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }

    /** Decodes a token; anything this service did not issue is refused with {@link IllegalArgumentException}. */
    public static StateToken decode(String token) {
        try {
            String raw = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
            String[] parts = raw.split(":", -1);
            if (parts.length != 3 || !parts[0].equals(VERSION) || parts[1].isEmpty()) {
                throw new IllegalArgumentException("not a state token");
            }
            return new StateToken(parts[1], Long.parseLong(parts[2]));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not a state token of this service", e);
        }
    }
}
