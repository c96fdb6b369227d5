package dev.mailsync.service;

import dev.mailsync.sync.FailureCode;

/** Talking to the mail server failed; {@link #code()} is the stable reason. */
public class MailServerException extends RuntimeException {
    private final FailureCode code;

    public MailServerException(FailureCode code, String detail) {
        super(detail);
        this.code = code;
    }

    public FailureCode code() {
        return code;
    }
}
