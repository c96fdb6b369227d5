package dev.mailsync.jobs;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Long-lived platform threads for {@link BackgroundStore}, the most recently idle one first. Unlike a
 * {@code ThreadPoolExecutor}, a thread is back among the idle ones <em>before</em> the caller learns that
 * its task is done: the caller's next task (the next batch of the same sync, or the next sync) is
 * certain to run on the same thread, and so on the same pooled database connection, instead of on
 * whichever thread the scheduler happened to have returned to the pool first. Threads idle for longer
 * than the keep-alive time end.
 */
final class StoringThreads {
    private final String namePrefix;
    private final long keepAliveNanos;
    private final AtomicInteger created = new AtomicInteger();
    /** Idle workers, the most recently idle first. Guarded by {@code this}. */
    private final Deque<Worker> idle = new ArrayDeque<>();

    StoringThreads(String namePrefix, long keepAliveNanos) {
        this.namePrefix = namePrefix;
        this.keepAliveNanos = keepAliveNanos;
    }

    /** Runs the task on the most recently idle thread, or on a new one when none is idle. */
    Future<?> submit(Runnable task) {
        Worker worker;
        synchronized (this) {
            worker = idle.pollFirst();
        }
        if (worker == null) {
            worker = new Worker(namePrefix + created.incrementAndGet());
            Task first = new Task(task, worker);
            worker.handOff.add(first);
            worker.thread.start();
            return first;
        }
        Task next = new Task(task, worker);
        worker.handOff.add(next);
        return next;
    }

    /** How many threads were ever started (tests). */
    int threadsStarted() {
        return created.get();
    }

    private synchronized void becomeIdle(Worker worker) {
        idle.addFirst(worker);
    }

    /** True when the worker was still idle and is now retired; false when a task is on its way to it. */
    private synchronized boolean retire(Worker worker) {
        return idle.remove(worker);
    }

    /** A task that puts its thread back among the idle ones just before it completes. */
    private final class Task extends FutureTask<Void> {
        private final Worker worker;
        /** Set by the worker thread only. */
        private boolean released;

        Task(Runnable task, Worker worker) {
            super(task, null);
            this.worker = worker;
        }

        @Override
        protected void set(Void v) {
            release();
            super.set(v);
        }

        @Override
        protected void setException(Throwable t) {
            release();
            super.setException(t);
        }

        /** Called on the worker thread when the task ended, before its outcome is visible. */
        void release() {
            if (!released) {
                released = true;
                becomeIdle(worker);
            }
        }
    }

    private final class Worker implements Runnable {
        /** Holds at most one task: a worker gets one only while it is off the idle list. */
        private final BlockingQueue<Task> handOff = new ArrayBlockingQueue<>(1);

        private final Thread thread;

        Worker(String name) {
            this.thread = Thread.ofPlatform().daemon().name(name).unstarted(this);
        }

        @Override
        public void run() {
            for (Task task = next(); task != null; task = next()) {
                Thread.interrupted(); // a late cancel(true) of the task before must not reach this one
                task.run();
                task.release(); // cancelled tasks complete without set()
            }
        }

        /** The next task, or null when none came within the keep-alive time and this worker retired. */
        private Task next() {
            while (true) {
                try {
                    Task task = handOff.poll(keepAliveNanos, TimeUnit.NANOSECONDS);
                    if (task != null) {
                        return task;
                    }
                    if (retire(this)) {
                        return null;
                    }
                    // Taken off the idle list by a submitter just now: its task is on the way.
                } catch (InterruptedException e) {
                    // Only a late cancel(true) interrupts this thread; keep serving.
                }
            }
        }
    }
}
