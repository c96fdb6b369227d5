package dev.mailsync.service;

/** The request clashes with the current state of a resource; nothing was changed. */
public class ConflictException extends RuntimeException {
    public ConflictException(String message) {
        super(message);
    }
}
