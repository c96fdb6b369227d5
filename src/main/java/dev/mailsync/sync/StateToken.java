package dev.mailsync.sync;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The opaque state string a device holds: "everything of this device's view up to change number
 * {@code seq} of the account". Bound to one device so a token cannot be replayed by another.
 *
 * <p>A page of changes that is not the last ({@code hasMore}) hands out a token whose {@code base} stays
 * at the state the paging started from: a message created after {@code base} whose latest change lies on
 * a later page must still arrive as {@code created}, and the device has everything only up to {@code
 * base} until the last page. A complete state has {@code base == seq}.
 */
public record StateToken(String deviceId, long seq, long base) {
    private static final String VERSION = "s1";
    private static final String PAGING = "s2";

    public StateToken {
        if (seq < 0 || base < 0 || base > seq) {
            throw new IllegalArgumentException("need 0 <= base <= seq");
        }
    }

    public StateToken(String deviceId, long seq) {
        this(deviceId, seq, seq);
    }

    public String encode() {
        String raw =
                base == seq ? VERSION + ":" + deviceId + ":" + seq : PAGING + ":" + deviceId + ":" + seq + ":" + base;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }

    /** Decodes a token; anything this service did not issue is refused with {@link IllegalArgumentException}. */
    public static StateToken decode(String token) {
        try {
            String raw = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
            String[] parts = raw.split(":", -1);
            if (parts.length == 3 && parts[0].equals(VERSION) && !parts[1].isEmpty()) {
                return new StateToken(parts[1], Long.parseLong(parts[2]));
            }
            if (parts.length == 4 && parts[0].equals(PAGING) && !parts[1].isEmpty()) {
                return new StateToken(parts[1], Long.parseLong(parts[2]), Long.parseLong(parts[3]));
            }
            throw new IllegalArgumentException("not a state token");
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not a state token of this service", e);
        }
    }
}
