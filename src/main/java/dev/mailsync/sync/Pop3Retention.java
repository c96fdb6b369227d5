package dev.mailsync.sync;

import java.util.Objects;

/**
 * A POP3 account's retention policy. {@code days} is set exactly when the policy is {@link
 * Pop3RetentionPolicy#DELETE_AFTER_DAYS}.
 */
public record Pop3Retention(Pop3RetentionPolicy policy, Integer days) {

    public static final Pop3Retention KEEP = new Pop3Retention(Pop3RetentionPolicy.KEEP, null);

    public Pop3Retention {
        Objects.requireNonNull(policy, "policy");
        if ((policy == Pop3RetentionPolicy.DELETE_AFTER_DAYS) != (days != null)) {
            throw new IllegalArgumentException("days is required exactly for DELETE_AFTER_DAYS");
        }
    }
}
