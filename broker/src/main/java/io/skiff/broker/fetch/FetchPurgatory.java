package io.skiff.broker.fetch;

import io.netty.util.HashedWheelTimer;
import io.netty.util.Timeout;
import io.skiff.storage.TopicPartition;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Where long-poll fetches wait: a fetch that cannot yet return {@code fetch.min.bytes} is
 * parked, watching its partitions. When a watched partition's high watermark advances, each
 * waiter is told how many bytes became readable; that costs the appending thread a counter
 * update per waiter, never a read: a waiter that has seen enough bytes re-reads on its own
 * connection's thread. A timer (a hashed wheel, not a polling loop) completes waiters when their
 * {@code max.wait.ms} runs out. Thread-safe.
 */
public final class FetchPurgatory implements AutoCloseable {
    /** A parked operation. */
    public interface Waiter {
        /** Re-checks the condition; returns true if the waiter completed (and must not be kept). */
        boolean tryComplete();

        /**
         * About {@code bytes} more became readable in a watched partition. Called on the appending
         * thread: must be cheap and must not read; a waiter that may now complete arranges its
         * own {@link #tryComplete()} elsewhere.
         */
        void onReadable(int bytes);

        /** Completes the waiter because its time ran out. */
        void expire();

        /** Whether it has completed (by either path). */
        boolean isDone();
    }

    private final HashedWheelTimer timer = new HashedWheelTimer(
            r -> {
                Thread t = new Thread(r, "skiff-fetch-timer");
                t.setDaemon(true);
                return t;
            },
            5,
            TimeUnit.MILLISECONDS,
            512);
    private final Map<TopicPartition, ConcurrentLinkedQueue<Waiter>> watchers = new ConcurrentHashMap<>();
    /** Replica fetches, woken by appends to a leader's log end rather than by its high watermark. */
    private final Map<TopicPartition, ConcurrentLinkedQueue<Waiter>> replicaWatchers = new ConcurrentHashMap<>();

    private final AtomicLong parks = new AtomicLong();

    /** Parks {@code waiter} on {@code partitions} for at most {@code maxWaitMs}. */
    public void park(Waiter waiter, List<TopicPartition> partitions, long maxWaitMs) {
        park(waiter, partitions, maxWaitMs, watchers);
    }

    /** Parks a follower's fetch on {@code partitions}: woken by {@link #onLogEnd}. */
    public void parkReplica(Waiter waiter, List<TopicPartition> partitions, long maxWaitMs) {
        park(waiter, partitions, maxWaitMs, replicaWatchers);
    }

    private void park(
            Waiter waiter,
            List<TopicPartition> partitions,
            long maxWaitMs,
            Map<TopicPartition, ConcurrentLinkedQueue<Waiter>> lists) {
        if ((parks.incrementAndGet() & 1023) == 0) {
            purgeCompleted();
        }
        for (TopicPartition tp : partitions) {
            lists.computeIfAbsent(tp, k -> new ConcurrentLinkedQueue<>()).add(waiter);
        }
        Timeout timeout = timer.newTimeout(t -> waiter.expire(), Math.max(1, maxWaitMs), TimeUnit.MILLISECONDS);
        // An append may have happened between the caller's check and the watch: check once more.
        if (waiter.tryComplete()) {
            timeout.cancel();
        }
    }

    /** Called when {@code tp}'s high watermark advanced by about {@code bytes}: tells its waiters. */
    public void onReadable(TopicPartition tp, int bytes) {
        tell(watchers.get(tp), bytes);
    }

    /** Called when a leader's log end advanced by about {@code bytes}: tells the replica fetches parked on it. */
    public void onLogEnd(TopicPartition tp, int bytes) {
        tell(replicaWatchers.get(tp), bytes);
    }

    private static void tell(ConcurrentLinkedQueue<Waiter> q, int bytes) {
        if (q == null || q.isEmpty()) {
            return;
        }
        for (Waiter w : q) {
            if (w.isDone()) {
                q.remove(w);
            } else {
                w.onReadable(bytes);
            }
        }
    }

    /** Removes completed waiters from every watch list (run now and then to bound memory). */
    public void purgeCompleted() {
        for (Map<TopicPartition, ConcurrentLinkedQueue<Waiter>> lists : List.of(watchers, replicaWatchers)) {
            for (ConcurrentLinkedQueue<Waiter> q : lists.values()) {
                q.removeIf(Waiter::isDone);
            }
            lists.values().removeIf(ConcurrentLinkedQueue::isEmpty);
        }
    }

    /** Number of waiters held in watch lists (completed ones included until purged). */
    int watched() {
        int n = 0;
        for (ConcurrentLinkedQueue<Waiter> q : watchers.values()) {
            n += q.size();
        }
        return n;
    }

    /** Stops the timer and answers every fetch still waiting with what it has. */
    @Override
    public void close() {
        for (Timeout t : timer.stop()) {
            t.cancel();
        }
        for (Map<TopicPartition, ConcurrentLinkedQueue<Waiter>> lists : List.of(watchers, replicaWatchers)) {
            for (ConcurrentLinkedQueue<Waiter> q : lists.values()) {
                for (Waiter w : q) {
                    if (!w.isDone()) {
                        w.expire();
                    }
                }
            }
            lists.clear();
        }
    }
}
