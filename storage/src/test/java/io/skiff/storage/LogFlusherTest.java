package io.skiff.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.skiff.wire.protocol.Uuid;
import io.skiff.wire.record.TestBatches;
import io.skiff.wire.util.ManualClock;
import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The flusher threads of a log dir: overlapping flushes of different logs, none of one log twice at once. */
class LogFlusherTest {
    @TempDir
    File root;

    private final ManualClock clock = new ManualClock(1_700_000_000_000L);
    private final FileDeleter deleter = new FileDeleter();
    private final List<PartitionLog> logs = new ArrayList<>();
    private LogFlusher flusher;

    @AfterEach
    void tearDown() throws Exception {
        for (PartitionLog log : logs) {
            log.close();
        }
        if (flusher != null) {
            flusher.close();
        }
        deleter.closeAll();
    }

    @Test
    void aFlushHeldUpOnOneLogDoesNotDelayAnotherLogsWaitersWithTwoThreads() throws Exception {
        flusher = new LogFlusher("test-flusher", 2);
        PartitionLog first = open("first", 0);
        PartitionLog second = open("second", 0);
        CountDownLatch firstPassHeld = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean holding = new AtomicBoolean();
        // the observer runs on the flusher thread at the end of a pass: the first pass keeps its thread
        flusher.observer((nanos, waiters, full) -> {
            if (holding.compareAndSet(false, true)) {
                firstPassHeld.countDown();
                await(release);
            }
        });
        first.awaitDurable(append(first, 3));
        assertThat(firstPassHeld.await(10, TimeUnit.SECONDS)).isTrue();

        CompletableFuture<Void> secondDurable = second.awaitDurable(append(second, 2));

        try {
            secondDurable.get(10, TimeUnit.SECONDS);
            assertThat(second.flushedOffset()).isEqualTo(2);
        } finally {
            release.countDown();
        }
    }

    @Test
    void everyWaiterOfManyLogsAppendingFromManyThreadsCompletesOnceItsOffsetIsDurable() throws Exception {
        flusher = new LogFlusher("test-flusher", 4);
        Set<String> flusherThreads = ConcurrentHashMap.newKeySet();
        flusher.observer((nanos, waiters, full) ->
                flusherThreads.add(Thread.currentThread().getName()));
        int logCount = 6;
        int batchesPerLog = 200;
        List<PartitionLog> appending = new ArrayList<>();
        for (int i = 0; i < logCount; i++) {
            appending.add(open("t", i));
        }
        List<Thread> producers = new ArrayList<>();
        List<Throwable> failures = new ArrayList<>();
        for (PartitionLog log : appending) {
            Thread t = new Thread(() -> {
                try {
                    for (int b = 0; b < batchesPerLog; b++) {
                        long last = append(log, 2);
                        log.awaitDurable(last).get(30, TimeUnit.SECONDS);
                        assertThat(log.flushedOffset()).isGreaterThan(last);
                    }
                } catch (Throwable e) {
                    synchronized (failures) {
                        failures.add(e);
                    }
                }
            });
            t.start();
            producers.add(t);
        }
        for (Thread t : producers) {
            t.join(60_000);
        }
        assertThat(failures).isEmpty();
        for (PartitionLog log : appending) {
            assertThat(log.flushedOffset()).isEqualTo(log.logEndOffset()).isEqualTo(2L * batchesPerLog);
        }
        assertThat(flusherThreads).isNotEmpty().allMatch(n -> n.startsWith("test-flusher-"));
    }

    @Test
    void aFlusherNeedsAtLeastOneThread() {
        assertThatThrownBy(() -> new LogFlusher("none", 0)).isInstanceOf(IllegalArgumentException.class);
    }

    private PartitionLog open(String topic, int partition) throws IOException {
        TopicPartition tp = new TopicPartition(topic, partition);
        PartitionLog log = PartitionLog.open(
                new File(root, tp.dirName()),
                tp,
                Uuid.random(),
                LogConfig.DEFAULT,
                clock,
                flusher,
                deleter,
                86_400_000L,
                true,
                0L,
                0L);
        logs.add(log);
        return log;
    }

    /** Appends {@code records} records as leader; returns the last offset. */
    private long append(PartitionLog log, int records) {
        ByteBuf buf = TestBatches.spec().count(records).build();
        try {
            AppendResult r = log.appendAsLeader(buf, 0, clock.milliseconds());
            return r.lastOffset();
        } finally {
            buf.release();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
