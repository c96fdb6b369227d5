package dev.mailsync.jobs;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Stores batches on a thread of its own while the caller goes on reading the next one from the mail
 * server: the job's time becomes the longer of reading and storing instead of their sum. Batches are
 * stored one at a time, in the order given, with at most one in flight and one being filled (bounded
 * memory). A failed batch fails the caller at its next {@link #submit} or at {@link #finish}, with the
 * store's own exception; what earlier batches stored stays. {@link #close} waits for the batch in flight,
 * so a retried job always sees everything this one stored.
 */
final class BackgroundStore<T> implements AutoCloseable {
    private final ExecutorService thread;
    private final Consumer<T> store;
    private Future<?> inFlight;

    BackgroundStore(String threadName, Consumer<T> store) {
        this.store = store;
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
    }

    /** Waits for the previous batch (its failure becomes the caller's), then hands this one over. */
    void submit(T batch) {
        await();
        inFlight = thread.submit(() -> store.accept(batch));
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

    @Override
    public void close() {
        thread.shutdown();
        try {
            // Never leave a store running behind a failed job: the retry must see what it did.
            if (!thread.awaitTermination(60, TimeUnit.SECONDS)) {
                thread.shutdownNow();
            }
        } catch (InterruptedException e) {
            thread.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
