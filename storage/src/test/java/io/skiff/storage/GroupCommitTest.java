package io.skiff.storage;

import static io.skiff.wire.record.TestBatches.spec;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class GroupCommitTest {
    @TempDir
    File root;

    @Test
    @Timeout(60)
    void manyConcurrentWaitersShareFewerFsyncsThanCallers() throws Exception {
        int threads = 8;
        int perThread = 50;
        try (LogFixture fx = new LogFixture(root)) {
            PartitionLog log = fx.open(LogConfig.DEFAULT);
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> producers = new ArrayList<>();
            List<CompletableFuture<Void>> all = java.util.Collections.synchronizedList(new ArrayList<>());
            List<Long> lastOffsets = java.util.Collections.synchronizedList(new ArrayList<>());
            for (int t = 0; t < threads; t++) {
                Thread th = new Thread(() -> {
                    try {
                        start.await();
                        for (int i = 0; i < perThread; i++) {
                            AppendResult r = fx.append(
                                    log, spec().count(1).valueSize(100).timestamp(fx.clock.milliseconds()));
                            lastOffsets.add(r.lastOffset());
                            all.add(log.awaitDurable(r.lastOffset()));
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                producers.add(th);
                th.start();
            }
            start.countDown();
            for (Thread th : producers) {
                th.join();
            }
            CompletableFuture.allOf(all.toArray(new CompletableFuture[0])).get(30, TimeUnit.SECONDS);
            int callers = threads * perThread;
            assertThat(all).hasSize(callers);
            assertThat(log.flushedOffset()).isEqualTo(callers);
            assertThat(log.fsyncCount()).isGreaterThan(0).isLessThan(callers);
            // a waiter for an offset already covered completes at once, without an fsync
            long before = log.fsyncCount();
            assertThat(log.awaitDurable(callers - 1).isDone()).isTrue();
            assertThat(log.fsyncCount()).isEqualTo(before);
        }
    }

    @Test
    @Timeout(30)
    void awaitDurableNeverFsyncsOnTheCallersThread() throws Exception {
        try (LogFixture fx = new LogFixture(root)) {
            PartitionLog log = fx.open(LogConfig.DEFAULT);
            fx.flusher.close(); // nobody fsyncs in the background now
            AppendResult r = fx.append(log, spec().count(3));
            CompletableFuture<Void> durable = log.awaitDurable(r.lastOffset());
            assertThat(durable.isDone()).isFalse();
            assertThat(log.fsyncCount()).isZero();
            assertThat(log.flushedOffset()).isZero();
            // a clean close flushes and completes the waiter
            log.close();
            assertThat(durable.isDone()).isTrue();
        }
    }

    @Test
    @Timeout(30)
    void flushMessagesTriggersABackgroundFlushThatMovesTheRecoveryPoint() throws Exception {
        try (LogFixture fx = new LogFixture(root)) {
            PartitionLog log = fx.open(LogFixture.config(LogConfig.FLUSH_MESSAGES, "5"));
            fx.append(log, spec().count(3));
            assertThat(log.recoveryPoint()).isZero();
            fx.append(log, spec().count(3));
            // the flusher thread moves the recovery point; wait on the condition, not on time
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (log.recoveryPoint() < 6 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertThat(log.recoveryPoint()).isEqualTo(6);
        }
    }

    @Test
    @Timeout(30)
    void flushMsIsCheckedAgainstTheClock() throws Exception {
        try (LogFixture fx = new LogFixture(root)) {
            PartitionLog log = fx.open(LogFixture.config(LogConfig.FLUSH_MS, "1000"));
            fx.append(log, spec().count(2));
            log.maybeFlushByTime(fx.clock.milliseconds());
            fx.clock.advance(1000);
            log.maybeFlushByTime(fx.clock.milliseconds());
            log.awaitDurable(1).get(10, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (log.recoveryPoint() < 2 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertThat(log.recoveryPoint()).isEqualTo(2);
        }
    }
}
