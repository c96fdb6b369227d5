package dev.mailsync.service;

/**
 * The state is older than the retained tombstones: the delta can no longer be computed. The client
 * reloads the full view ({@code GET .../messages}) and continues from the state it answers.
 */
public class StateExpiredException extends RuntimeException {
    public StateExpiredException(String message) {
        super(message);
    }
}
