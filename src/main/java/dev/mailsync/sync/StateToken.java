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
 * base} until the last page. Such a token also carries {@code start}, the account's change number when the
 * first page was read: a row destroyed up to it was gone before the paging began and cannot have been on
 * one of its pages. A complete state has {@code base == seq} (and {@code start == seq}).
 */
public record StateToken(String deviceId, long seq, long base, long start) {
    private static final String VERSION = "s1";
    /** Paging tokens of earlier releases, without {@code start}: read as if the paging started at {@code seq}. */
    private static final String PAGING_V2 = "s2";

    private static final String PAGING = "s3";

    public StateToken {
        if (seq < 0 || base < 0 || base > seq || start < base) {
            throw new IllegalArgumentException("need 0 <= base <= seq and base <= start");
        }
    }

    public StateToken(String deviceId, long seq) {
        this(deviceId, seq, seq, seq);
    }

    public boolean complete() {
        return base == seq;
    }

    public String encode() {
        String raw = complete()
                ? VERSION + ":" + deviceId + ":" + seq
                : PAGING + ":" + deviceId + ":" + seq + ":" + base + ":" + start;
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
            if (parts.length == 4 && parts[0].equals(PAGING_V2) && !parts[1].isEmpty()) {
                long seq = Long.parseLong(parts[2]);
                return new StateToken(parts[1], seq, Long.parseLong(parts[3]), seq);
            }
            if (parts.length == 5 && parts[0].equals(PAGING) && !parts[1].isEmpty()) {
                return new StateToken(
                        parts[1], Long.parseLong(parts[2]), Long.parseLong(parts[3]), Long.parseLong(parts[4]));
            }
            throw new IllegalArgumentException("not a state token");
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not a state token of this service", e);
        }
    }
}
