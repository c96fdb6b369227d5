package dev.mailsync.jobs;

import dev.mailsync.sync.FailureCode;

/** A failure that no retry can fix (the job fails at once, whatever the code's usual retry rule). */
final class PermanentFailure extends Exception {
    final FailureCode code;

    PermanentFailure(FailureCode code, String detail) {
        super(detail);
        this.code = code;
    }
}
