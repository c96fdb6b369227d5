package dev.mailsync.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class BackgroundStoreTest {

    @Test
    void batchesAreStoredInOrderOffTheCallersThread() {
        List<Integer> stored = Collections.synchronizedList(new ArrayList<>());
        List<Thread> threads = Collections.synchronizedList(new ArrayList<>());
        try (BackgroundStore<Integer> store = new BackgroundStore<>(b -> {
            threads.add(Thread.currentThread());
            stored.add(b);
        })) {
            for (int i = 1; i <= 5; i++) {
                store.submit(i);
            }
            store.finish();
        }
        assertThat(stored).containsExactly(1, 2, 3, 4, 5);
        assertThat(threads).doesNotContain(Thread.currentThread());
    }

    @Test
    void theNextSyncReusesAnIdleStoringThread() {
        // The thread, and with it the database connection the pool keeps for it, outlives one sync.
        List<Thread> first = new ArrayList<>();
        try (BackgroundStore<Integer> store = new BackgroundStore<>(b -> first.add(Thread.currentThread()))) {
            store.submit(1);
            store.finish();
        }
        List<Thread> second = new ArrayList<>();
        try (BackgroundStore<Integer> store = new BackgroundStore<>(b -> second.add(Thread.currentThread()))) {
            store.submit(1);
            store.finish();
        }
        assertThat(second).containsExactlyElementsOf(first);
        assertThat(first.get(0).getName()).startsWith("mailsync-store-");
    }

    @Test
    void aFailedBatchFailsTheCallerAtTheNextSubmitAndNothingAfterItIsStored() {
        List<Integer> stored = Collections.synchronizedList(new ArrayList<>());
        try (BackgroundStore<Integer> store = new BackgroundStore<>(b -> {
            if (b == 2) {
                throw new IllegalStateException("batch 2 refused");
            }
            stored.add(b);
        })) {
            store.submit(1);
            store.submit(2);
            assertThatThrownBy(() -> store.submit(3)).hasMessage("batch 2 refused");
        }
        assertThat(stored).containsExactly(1);
    }

    @Test
    void closeWaitsForTheBatchInFlight() throws InterruptedException {
        CountDownLatch started = new CountDownLatch(1);
        AtomicBoolean done = new AtomicBoolean();
        BackgroundStore<Integer> store = new BackgroundStore<>(b -> {
            started.countDown();
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            done.set(true);
        });
        store.submit(1);
        assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
        store.close(); // as after a failure of the caller, without finish()
        assertThat(done).as("a retry must see everything this sync stored").isTrue();
    }
}
