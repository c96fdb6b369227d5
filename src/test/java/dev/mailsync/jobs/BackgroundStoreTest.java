package dev.mailsync.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class BackgroundStoreTest {
    /** A pool of this test's own: threads of other tests (or of a test application) never interfere. */
    private final StoringThreads threads = new StoringThreads("test-store-", TimeUnit.MINUTES.toNanos(10));

    @Test
    void batchesAreStoredInOrderOffTheCallersThread() {
        List<Integer> stored = Collections.synchronizedList(new ArrayList<>());
        List<Thread> ran = Collections.synchronizedList(new ArrayList<>());
        try (BackgroundStore<Integer> store = new BackgroundStore<>(
                b -> {
                    ran.add(Thread.currentThread());
                    stored.add(b);
                },
                threads)) {
            for (int i = 1; i <= 5; i++) {
                store.submit(i);
            }
            store.finish();
        }
        assertThat(stored).containsExactly(1, 2, 3, 4, 5);
        assertThat(ran).doesNotContain(Thread.currentThread());
    }

    @Test
    void everyBatchOfOneSyncIsStoredOnTheSameThread() {
        // One thread, so one pooled database connection, for the whole sync.
        List<Thread> ran = Collections.synchronizedList(new ArrayList<>());
        try (BackgroundStore<Integer> store = new BackgroundStore<>(b -> ran.add(Thread.currentThread()), threads)) {
            for (int i = 1; i <= 50; i++) {
                store.submit(i);
            }
            store.finish();
        }
        assertThat(ran).hasSize(50).containsOnly(ran.get(0));
        assertThat(threads.threadsStarted()).isEqualTo(1);
    }

    @Test
    void theNextSyncReusesTheIdleStoringThread() {
        // The thread, and with it the database connection the pool keeps for it, outlives one sync.
        List<Thread> first = new ArrayList<>();
        try (BackgroundStore<Integer> store = new BackgroundStore<>(b -> first.add(Thread.currentThread()), threads)) {
            store.submit(1);
            store.finish();
        }
        List<Thread> second = new ArrayList<>();
        try (BackgroundStore<Integer> store = new BackgroundStore<>(b -> second.add(Thread.currentThread()), threads)) {
            store.submit(1);
            store.finish();
        }
        assertThat(second).containsExactlyElementsOf(first);
        assertThat(first.get(0).getName()).isEqualTo("test-store-1");
        assertThat(threads.threadsStarted()).isEqualTo(1);
    }

    @Test
    void twoSyncsAtOnceStoreOnTwoThreads() throws Exception {
        CountDownLatch bothStoring = new CountDownLatch(2);
        List<Thread> ran = Collections.synchronizedList(new ArrayList<>());
        java.util.function.Consumer<Integer> slow = b -> {
            ran.add(Thread.currentThread());
            bothStoring.countDown();
            try {
                assertThat(bothStoring.await(10, TimeUnit.SECONDS))
                        .as("the other sync's batch should be stored at the same time")
                        .isTrue();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        try (BackgroundStore<Integer> a = new BackgroundStore<>(slow, threads);
                BackgroundStore<Integer> b = new BackgroundStore<>(slow, threads)) {
            a.submit(1);
            b.submit(1);
            a.finish();
            b.finish();
        }
        assertThat(ran).doesNotHaveDuplicates().hasSize(2);
    }

    @Test
    void aThreadIdleLongerThanTheKeepAliveEndsAndTheNextSyncStartsANewOne() {
        StoringThreads shortLived = new StoringThreads("short-", TimeUnit.MILLISECONDS.toNanos(20));
        List<Thread> first = new ArrayList<>();
        try (BackgroundStore<Integer> store =
                new BackgroundStore<>(b -> first.add(Thread.currentThread()), shortLived)) {
            store.submit(1);
            store.finish();
        }
        await("the idle storing thread to end after its keep-alive time")
                .atMost(Duration.ofSeconds(30))
                .until(() -> !first.get(0).isAlive());
        List<Integer> stored = new ArrayList<>();
        try (BackgroundStore<Integer> store = new BackgroundStore<>(stored::add, shortLived)) {
            store.submit(7);
            store.finish();
        }
        assertThat(stored).containsExactly(7);
        assertThat(shortLived.threadsStarted()).isEqualTo(2);
    }

    @Test
    void aFailedBatchFailsTheCallerAtTheNextSubmitAndNothingAfterItIsStored() {
        List<Integer> stored = Collections.synchronizedList(new ArrayList<>());
        try (BackgroundStore<Integer> store = new BackgroundStore<>(
                b -> {
                    if (b == 2) {
                        throw new IllegalStateException("batch 2 refused");
                    }
                    stored.add(b);
                },
                threads)) {
            store.submit(1);
            store.submit(2);
            assertThatThrownBy(() -> store.submit(3)).hasMessage("batch 2 refused");
        }
        assertThat(stored).containsExactly(1);
        // The thread that ran the failed batch serves the next sync.
        List<Integer> next = new ArrayList<>();
        try (BackgroundStore<Integer> store = new BackgroundStore<>(next::add, threads)) {
            store.submit(4);
            store.finish();
        }
        assertThat(next).containsExactly(4);
        assertThat(threads.threadsStarted()).isEqualTo(1);
    }

    @Test
    void closeWaitsForTheBatchInFlight() throws InterruptedException {
        CountDownLatch started = new CountDownLatch(1);
        AtomicBoolean done = new AtomicBoolean();
        BackgroundStore<Integer> store = new BackgroundStore<>(
                b -> {
                    started.countDown();
                    try {
                        Thread.sleep(300); // slow enough that a close() which did not wait would see done false
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    done.set(true);
                },
                threads);
        store.submit(1);
        assertThat(started.await(10, TimeUnit.SECONDS))
                .as("the batch should have started storing")
                .isTrue();
        store.close(); // as after a failure of the caller, without finish()
        assertThat(done).as("a retry must see everything this sync stored").isTrue();
    }
}
