package dev.mailsync.jobs;

/** Called between steps of a sync; throws when the job must stop there. */
@FunctionalInterface
interface SafePoint {
    void check() throws JobCancelledException;
}
