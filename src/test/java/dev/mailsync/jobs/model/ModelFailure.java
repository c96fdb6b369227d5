package dev.mailsync.jobs.model;

/** A sequence broke one of the model's checks; {@link #check} says which, to compare failures when minimising. */
final class ModelFailure extends AssertionError {
    private static final long serialVersionUID = 1L;

    /** The checks, in the words of the failure messages. */
    enum Check {
        /** A sync job did not succeed. */
        JOB,
        /** A device change was answered otherwise than the model predicts. */
        RESULT,
        /** The server does not hold what the model says (a device change did too much or too little). */
        SERVER,
        /** The mirror (the full view) differs from the server after a sync. */
        MIRROR,
        /** A delta does not apply to the device's state (unknown id, duplicate, a replay that differs). */
        DELTA,
        /** The device's state, built from its deltas, differs from the mirror. */
        DEVICE
    }

    final Check check;

    ModelFailure(Check check, String message) {
        super("[" + check + "] " + message);
        this.check = check;
    }
}
