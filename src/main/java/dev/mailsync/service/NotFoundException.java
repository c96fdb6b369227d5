package dev.mailsync.service;

/** No such resource for this owner. Another owner's resource is "not found" too, never "forbidden". */
public class NotFoundException extends RuntimeException {
    public NotFoundException(String message) {
        super(message);
    }
}
