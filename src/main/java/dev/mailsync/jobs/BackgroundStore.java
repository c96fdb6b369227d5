package dev.mailsync.jobs;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Stores batches on a thread of its own while the caller goes on reading the next one from the mail
 * server: the job's time becomes the longer of reading and storing instead of their sum. Batches are
 * stored one at a time, in the order given, with at most one in flight and one being filled (bounded
 * memory). A failed batch fails the caller at its next {@link #submit} or at {@link #finish}, with the
 * store's own exception; what earlier batches stored stays. {@link #close} waits for the batch in flight,
 * so a retried job always sees everything this one stored.
 *
 * <p>The storing threads outlive a sync ({@link StoringThreads}): the next batch, and the next sync, run
 * on the thread that stored the last batch, and with it on the database connection the pool keeps for
 * that thread. A PostgreSQL backend pays a page fault the first time it touches each page of the
 * server's shared buffers (measured here: a binary COPY of 2,000 10 KB messages took 221 ms of a fresh
 * backend's CPU with 10,099 page faults, 98 ms with 2,070 on the same backend right after); a new thread
 * per sync took whatever connection was idle and spread the bulk writes over every backend of the pool.
 */
final class BackgroundStore<T> implements AutoCloseable {
    /** Idle storing threads wait this long for the next batch before they end. */
    static final long KEEP_ALIVE_MINUTES = 10;

    private static final StoringThreads SHARED =
            new StoringThreads("mailsync-store-", TimeUnit.MINUTES.toNanos(KEEP_ALIVE_MINUTES));

    private final Consumer<T> store;
    private final StoringThreads threads;
    private Future<?> inFlight;

    BackgroundStore(Consumer<T> store) {
        this(store, SHARED);
    }

    /** With a pool of its own (tests). */
    BackgroundStore(Consumer<T> store, StoringThreads threads) {
        this.store = store;
        this.threads = threads;
    }

    /** Waits for the previous batch (its failure becomes the caller's), then hands this one over. */
    void submit(T batch) {
        await();
        inFlight = threads.submit(() -> store.accept(batch));
    }

    /** Waits until everything submitted is stored. */
    void finish() {
        await();
    }

    private void await() {
        if (inFlight == null) {
            return;
        }
        try {
            inFlight.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while storing", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(e.getCause());
        } finally {
            inFlight = null;
        }
    }

    /** Waits for a batch still being stored (its failure, if any, is the caller's already or is dropped). */
    @Override
    public void close() {
        Future<?> last = inFlight;
        inFlight = null;
        if (last == null) {
            return;
        }
        try {
            // Never leave a store running behind a failed job: the retry must see what it did.
            last.get(60, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            last.cancel(true);
        } catch (ExecutionException e) {
            // The caller is failing already (close() after an exception); this batch's failure adds nothing.
        } catch (InterruptedException e) {
            last.cancel(true);
            Thread.currentThread().interrupt();
        }
    }
}
