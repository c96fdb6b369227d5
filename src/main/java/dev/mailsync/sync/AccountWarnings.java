package dev.mailsync.sync;

import java.util.ArrayList;
import java.util.List;

/** Warnings an account carries, derived from its settings and its devices. Pure rules. */
public final class AccountWarnings {

    public static final String MULTI_DEVICE_DELETION = "MULTI_DEVICE_DELETION";
    public static final String PLAINTEXT_CONNECTION = "PLAINTEXT_CONNECTION";
    public static final String QUOTA_NEARLY_FULL = "QUOTA_NEARLY_FULL";

    /** One warning: a stable code and a sentence for people. */
    public record Warning(String code, String message) {}

    private AccountWarnings() {}

    public static List<Warning> of(
            Protocol protocol, Security security, Pop3Retention retention, long deviceCount, QuotaUsage quota) {
        List<Warning> warnings = new ArrayList<>();
        if (protocol == Protocol.POP3 && retention != null && retention.policy().deletes() && deviceCount > 1) {
            warnings.add(new Warning(MULTI_DEVICE_DELETION, multiDeviceMessage(retention, deviceCount)));
        }
        if (security == Security.NONE) {
            warnings.add(new Warning(
                    PLAINTEXT_CONNECTION,
                    "The connection to the mail server is not encrypted: the password and all mail cross"
                            + " the network in clear text."));
        }
        if (quota != null && quota.nearlyFull()) {
            warnings.add(new Warning(
                    QUOTA_NEARLY_FULL,
                    "The mailbox is " + quota.percent() + " % full (" + quota.usedKilobytes() + " of "
                            + quota.limitKilobytes() + " KiB): new mail may be refused once it is full."));
        }
        return List.copyOf(warnings);
    }

    private static String multiDeviceMessage(Pop3Retention retention, long deviceCount) {
        String what = switch (retention.policy()) {
            case DELETE_AFTER_FIRST_DEVICE -> "deleted from the server as soon as one device has it";
            case DELETE_AFTER_DAYS -> "deleted from the server " + retention.days() + " days after download";
            case DELETE_AFTER_ALL_DEVICES -> "deleted from the server once every active device has it";
            case KEEP -> throw new IllegalStateException("KEEP never deletes");
        };
        return "This POP3 account has " + deviceCount + " devices and mail is " + what
                + ". mailsync keeps its stored copy until every device has the message, but other mail"
                + " programs reading this mailbox directly will not see deleted mail.";
    }
}
