package dev.mailsync.jobs;

/** The job was cancelled (or lost its lease) and stopped at a safe point: between two folders. */
final class JobCancelledException extends Exception {
    final boolean leaseLost;

    JobCancelledException(String message, boolean leaseLost) {
        super(message);
        this.leaseLost = leaseLost;
    }
}
