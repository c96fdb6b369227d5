package dev.mailsync.service;

/** The request clashes with the current state of a resource; nothing was changed. */
public class ConflictException extends RuntimeException {
    private final String code;

    public ConflictException(String message) {
        this("CONFLICT", message);
    }

    public ConflictException(String code, String message) {
        super(message);
        this.code = code;
    }

    /** Stable code: CONFLICT, or INVALID_STATE for a state token of another device or a forged one. */
    public String code() {
        return code;
    }
}
