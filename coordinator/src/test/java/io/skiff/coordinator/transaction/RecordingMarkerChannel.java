package io.skiff.coordinator.transaction;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A {@link TransactionMarkerChannel} that records every call. By default each call completes at
 * once; {@link #hold(boolean)} keeps the futures open for the test to complete or fail
 * ({@link #completeNext()}, {@link #failNext()}). Test support; thread-safe.
 */
final class RecordingMarkerChannel implements TransactionMarkerChannel {
    /** One call of {@link #writeMarkers}. */
    record Call(
            long producerId,
            short producerEpoch,
            int coordinatorEpoch,
            boolean commit,
            List<TxnTopicPartition> partitions,
            CompletableFuture<Void> future) {}

    private final List<Call> calls = new ArrayList<>();
    private boolean hold;

    @Override
    public CompletableFuture<Void> writeMarkers(
            long producerId,
            short producerEpoch,
            int coordinatorEpoch,
            boolean commit,
            Collection<TxnTopicPartition> partitions) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        boolean now;
        synchronized (this) {
            calls.add(new Call(producerId, producerEpoch, coordinatorEpoch, commit, List.copyOf(partitions), f));
            now = !hold;
        }
        if (now) {
            f.complete(null);
        }
        return f;
    }

    synchronized void hold(boolean on) {
        hold = on;
    }

    synchronized List<Call> calls() {
        return new ArrayList<>(calls);
    }

    synchronized Call last() {
        return calls.get(calls.size() - 1);
    }

    private Call nextOpen() {
        synchronized (this) {
            for (Call c : calls) {
                if (!c.future().isDone()) {
                    return c;
                }
            }
        }
        throw new AssertionError("no open marker write");
    }

    /** Completes the oldest open write. */
    void completeNext() {
        nextOpen().future().complete(null);
    }

    /** Fails the oldest open write. */
    void failNext() {
        nextOpen().future().completeExceptionally(new IllegalStateException("injected marker failure"));
    }
}
