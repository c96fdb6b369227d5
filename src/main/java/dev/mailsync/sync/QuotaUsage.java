package dev.mailsync.sync;

/**
 * Storage use of a mailbox as the server reports it (IMAP QUOTA, RFC 9208 §5.2: STORAGE in units of
 * 1024 octets). The source document warns that "you can easily fill up your inbox"; from 90 % on the
 * account carries a warning.
 */
public record QuotaUsage(long usedKilobytes, long limitKilobytes) {
    public static final double WARNING_PERCENT = 90.0;

    public double percent() {
        return limitKilobytes <= 0 ? 0.0 : Math.round(1000.0 * usedKilobytes / limitKilobytes) / 10.0;
    }

    public boolean nearlyFull() {
        return limitKilobytes > 0 && 100.0 * usedKilobytes / limitKilobytes >= WARNING_PERCENT;
    }
}
