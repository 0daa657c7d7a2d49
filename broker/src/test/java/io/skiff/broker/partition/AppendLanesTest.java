package io.skiff.broker.partition;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class AppendLanesTest {

    @Test
    void tasksOfOneConnectionRunInSubmissionOrder() throws Exception {
        try (AppendLanes lanes = new AppendLanes(4)) {
            Object connection = new Object();
            List<Integer> ran = Collections.synchronizedList(new ArrayList<>());
            CountDownLatch done = new CountDownLatch(1000);
            for (int i = 0; i < 1000; i++) {
                int n = i;
                lanes.submit(connection, () -> {
                    ran.add(n);
                    done.countDown();
                });
            }
            assertThat(done.await(20, TimeUnit.SECONDS)).isTrue();
            for (int i = 0; i < 1000; i++) {
                assertThat(ran.get(i)).isEqualTo(i);
            }
        }
    }

    @Test
    void aConnectionIsBusyUntilItsLaneDrains() throws Exception {
        try (AppendLanes lanes = new AppendLanes(1)) {
            Object connection = new Object();
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch finished = new CountDownLatch(1);
            lanes.submit(connection, () -> {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                finished.countDown();
            });
            assertThat(lanes.busy(connection)).isTrue();
            assertThat(lanes.busy(new Object())).isFalse();
            release.countDown();
            assertThat(finished.await(10, TimeUnit.SECONDS)).isTrue();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (lanes.busy(connection) && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertThat(lanes.busy(connection)).isFalse();
        }
    }

    @Test
    void lanesOfDifferentConnectionsDoNotWaitForEachOther() throws Exception {
        try (AppendLanes lanes = new AppendLanes(2)) {
            CountDownLatch blocked = new CountDownLatch(1);
            CountDownLatch other = new CountDownLatch(1);
            lanes.submit(new Object(), () -> {
                try {
                    blocked.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            lanes.submit(new Object(), other::countDown);
            assertThat(other.await(10, TimeUnit.SECONDS)).isTrue();
            blocked.countDown();
        }
    }

    @Test
    void aFailingTaskDoesNotStopTheLane() throws Exception {
        try (AppendLanes lanes = new AppendLanes(1)) {
            Object connection = new Object();
            CountDownLatch after = new CountDownLatch(1);
            lanes.submit(connection, () -> {
                throw new IllegalStateException("boom");
            });
            lanes.submit(connection, after::countDown);
            assertThat(after.await(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void aTaskWaitingForAFutureHoldsTheConnectionsLaterTasksWithoutHoldingAThread() throws Exception {
        try (AppendLanes lanes = new AppendLanes(1)) {
            Object waiting = new Object();
            Object other = new Object();
            List<String> ran = Collections.synchronizedList(new ArrayList<>());
            CompletableFuture<Void> verification = new CompletableFuture<>();
            CountDownLatch otherRan = new CountDownLatch(1);
            CountDownLatch done = new CountDownLatch(2);
            lanes.submitAfter(waiting, () -> verification, () -> {
                ran.add("verified");
                done.countDown();
            });
            lanes.submit(waiting, () -> {
                ran.add("later");
                done.countDown();
            });
            // the only append thread is free for other connections meanwhile
            lanes.submit(other, otherRan::countDown);
            assertThat(otherRan.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(ran).isEmpty();
            verification.complete(null);
            assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(ran).containsExactly("verified", "later");
        }
    }
}
