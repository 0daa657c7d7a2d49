package io.skiff.broker.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import io.skiff.storage.TopicPartition;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class FetchPurgatoryTest {
    private static final TopicPartition A = new TopicPartition("a", 0);
    private static final TopicPartition B = new TopicPartition("b", 0);

    /** Counts what it is told; completes only when expired or when told to. */
    private static final class Counting implements FetchPurgatory.Waiter {
        final AtomicInteger bytes = new AtomicInteger();
        final AtomicInteger reads = new AtomicInteger();
        final AtomicBoolean done = new AtomicBoolean();
        final CountDownLatch expired = new CountDownLatch(1);

        @Override
        public boolean tryComplete() {
            reads.incrementAndGet();
            return done.get();
        }

        @Override
        public void onReadable(int n) {
            bytes.addAndGet(n);
        }

        @Override
        public void expire() {
            done.set(true);
            expired.countDown();
        }

        @Override
        public boolean isDone() {
            return done.get();
        }
    }

    @Test
    void readableBytesReachOnlyTheWaitersOfThatPartitionWithoutAnyRead() {
        try (FetchPurgatory purgatory = new FetchPurgatory()) {
            Counting onA = new Counting();
            Counting onB = new Counting();
            purgatory.park(onA, List.of(A), 60_000);
            purgatory.park(onB, List.of(B), 60_000);
            int readsAfterPark = onA.reads.get();

            purgatory.onReadable(A, 100);
            purgatory.onReadable(A, 50);

            assertThat(onA.bytes.get()).isEqualTo(150);
            assertThat(onB.bytes.get()).isZero();
            assertThat(onA.reads.get()).isEqualTo(readsAfterPark);
        }
    }

    @Test
    void completedWaitersAreDroppedFromTheWatchLists() {
        try (FetchPurgatory purgatory = new FetchPurgatory()) {
            Counting w = new Counting();
            purgatory.park(w, List.of(A, B), 60_000);
            assertThat(purgatory.watched()).isEqualTo(2);
            w.done.set(true);
            purgatory.onReadable(A, 1);
            purgatory.purgeCompleted();
            assertThat(purgatory.watched()).isZero();
            assertThat(w.bytes.get()).isZero();
        }
    }

    @Test
    void waitersExpireWhenTheirTimeRunsOut() throws Exception {
        try (FetchPurgatory purgatory = new FetchPurgatory()) {
            Counting w = new Counting();
            purgatory.park(w, List.of(A), 20);
            assertThat(w.expired.await(10, TimeUnit.SECONDS)).isTrue();
        }
    }
}
