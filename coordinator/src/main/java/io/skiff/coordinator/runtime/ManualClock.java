package io.skiff.coordinator.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;

/**
 * A clock that moves only when told to: {@link #advance(long)} moves time forward and runs, on
 * the calling thread and in deadline order, every task that falls due. Tests use it to drive
 * session timeouts and rebalance delays deterministically, without sleeping. Thread-safe; tasks
 * run outside the clock's lock.
 */
public final class ManualClock implements CoordinatorClock {
    private final PriorityQueue<Task> tasks = new PriorityQueue<>();
    private long nowMs;
    private long sequence;

    public ManualClock() {
        this(0L);
    }

    public ManualClock(long startMs) {
        this.nowMs = startMs;
    }

    @Override
    public synchronized long milliseconds() {
        return nowMs;
    }

    @Override
    public synchronized Cancellable schedule(long delayMs, Runnable task) {
        Task t = new Task(nowMs + Math.max(0L, delayMs), sequence++, task);
        tasks.add(t);
        return t;
    }

    /** Moves time forward by {@code deltaMs}, running every task that falls due on the way. */
    public void advance(long deltaMs) {
        if (deltaMs < 0) {
            throw new IllegalArgumentException("time cannot go backwards: " + deltaMs);
        }
        long targetMs;
        synchronized (this) {
            targetMs = nowMs + deltaMs;
        }
        while (true) {
            Task next;
            synchronized (this) {
                next = tasks.peek();
                if (next == null || next.deadlineMs > targetMs) {
                    nowMs = targetMs;
                    return;
                }
                tasks.poll();
                nowMs = Math.max(nowMs, next.deadlineMs);
            }
            if (!next.cancelled) {
                next.task.run();
            }
        }
    }

    /** The deadlines of the tasks still waiting, for assertions in tests. */
    public synchronized List<Long> pendingDeadlines() {
        List<Long> out = new ArrayList<>();
        for (Task t : tasks) {
            if (!t.cancelled) {
                out.add(t.deadlineMs);
            }
        }
        out.sort(null);
        return out;
    }

    private static final class Task implements Cancellable, Comparable<Task> {
        final long deadlineMs;
        final long sequence;
        final Runnable task;
        volatile boolean cancelled;

        Task(long deadlineMs, long sequence, Runnable task) {
            this.deadlineMs = deadlineMs;
            this.sequence = sequence;
            this.task = task;
        }

        @Override
        public void cancel() {
            cancelled = true;
        }

        @Override
        public int compareTo(Task o) {
            int c = Long.compare(deadlineMs, o.deadlineMs);
            return c != 0 ? c : Long.compare(sequence, o.sequence);
        }
    }
}
