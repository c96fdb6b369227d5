package dev.mailsync.mail;

import dev.mailsync.sync.FailureCode;
import java.util.Objects;

/**
 * Talking to a mail server failed. {@link #code()} is the stable reason clients switch on; {@link
 * #getMessage()} is the detail, written for a person and safe to show the account's owner (it never
 * contains the password).
 */
public final class MailAccessException extends Exception {
    private static final long serialVersionUID = 1L;

    private final FailureCode code;

    public MailAccessException(FailureCode code, String detail) {
        this(code, detail, null);
    }

    public MailAccessException(FailureCode code, String detail, Throwable cause) {
        super(Objects.requireNonNull(detail, "detail"), cause);
        this.code = Objects.requireNonNull(code, "code");
    }

    public FailureCode code() {
        return code;
    }

    /** The same text as {@link #getMessage()}. */
    public String detail() {
        return getMessage();
    }

    @Override
    public String toString() {
        return "MailAccessException[" + code + "]: " + getMessage();
    }
}
