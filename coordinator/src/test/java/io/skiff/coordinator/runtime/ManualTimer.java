package io.skiff.coordinator.runtime;

import io.skiff.wire.util.ManualClock;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;

/**
 * A {@link CoordinatorTimer} on a {@link ManualClock}: {@link #advance(long)} moves the clock
 * forward and runs, on the calling thread and in deadline order, every task that falls due, with
 * the clock standing at each task's deadline while it runs. Tests use it to drive session timeouts
 * and rebalance delays deterministically, without sleeping. Moving the clock directly runs
 * nothing: time for timers moves through this class. Thread-safe; tasks run outside its lock.
 */
public final class ManualTimer implements CoordinatorTimer {
    private final ManualClock clock;
    private final PriorityQueue<Task> tasks = new PriorityQueue<>();
    private long sequence;

    public ManualTimer(ManualClock clock) {
        this.clock = clock;
    }

    /** The clock this timer reads and moves. */
    public ManualClock clock() {
        return clock;
    }

    @Override
    public synchronized Cancellable schedule(long delayMs, Runnable task) {
        Task t = new Task(clock.milliseconds() + Math.max(0L, delayMs), sequence++, task);
        tasks.add(t);
        return t;
    }

    /** Moves time forward by {@code deltaMs}, running every task that falls due on the way. */
    public void advance(long deltaMs) {
        if (deltaMs < 0) {
            throw new IllegalArgumentException("time cannot go backwards: " + deltaMs);
        }
        long targetMs = clock.milliseconds() + deltaMs;
        while (true) {
            Task next;
            synchronized (this) {
                next = tasks.peek();
                if (next == null || next.deadlineMs > targetMs) {
                    moveClockTo(targetMs);
                    return;
                }
                tasks.poll();
                moveClockTo(next.deadlineMs);
            }
            if (!next.cancelled) {
                next.task.run();
            }
        }
    }

    private void moveClockTo(long ms) {
        long nowMs = clock.milliseconds();
        if (ms > nowMs) {
            clock.advance(ms - nowMs);
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
