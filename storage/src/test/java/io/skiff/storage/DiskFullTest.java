package io.skiff.storage;

import static io.skiff.wire.record.TestBatches.spec;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.skiff.wire.protocol.Uuid;
import io.skiff.wire.util.ManualClock;
import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A log dir on a tmpfs of a few megabytes, filled by appends until the disk is full (ENOSPC).
 * The failing append must answer STORAGE_ERROR without throwing, leave no partial batch in the
 * segment file and no log end past the last whole batch, take the dir offline; after space is
 * freed and the log manager restarted, every acknowledged record must be there, once, in order.
 * Skipped (with the reason) where a tmpfs cannot be mounted.
 */
@Timeout(120)
class DiskFullTest {
    private static final TopicPartition TP = new TopicPartition("full", 0);
    private static final long FS_BYTES = 3L * 1024 * 1024;
    /** Batches of odd sizes, so that ENOSPC usually comes part-way through one (a short write). */
    private static final int[] VALUE_SIZES = {1_500, 700, 3_100, 5_300};

    @TempDir
    File root;

    @Test
    void anAppendAtEnospcIsAStorageErrorLeavesOnlyWholeBatchesAndEveryAcknowledgedRecordSurvivesARestart()
            throws Exception {
        try (SmallTmpfs fs = SmallTmpfs.mount(new File(root, "fs"), FS_BYTES)) {
            File filler = fs.fill("filler", 512 * 1024);
            File logDirPath = new File(fs.dir, "logs");
            ManualClock clock = new ManualClock(LogFixture.START_MS);
            LogManagerConfig cfg = LogManagerConfig.builder(List.of(logDirPath)).build();
            // Small segments, so that rolls (new files, producer snapshots) also meet the full disk.
            LogConfig logConfig = LogFixture.config("segment.bytes", "262144");

            LogManager m = LogManager.start(cfg, clock, null);
            PartitionLog log = m.createLog(TP, Uuid.random(), logConfig);
            List<long[]> acked = new ArrayList<>(); // {firstOffset, lastOffset} of each acknowledged batch
            long ackedBytes = 0;
            AppendResult failed = null;
            for (int i = 0; i < 10_000 && failed == null; i++) {
                ByteBuf buf = spec().count(1 + i % 4)
                        .valueSize(VALUE_SIZES[i % VALUE_SIZES.length])
                        .timestamp(clock.milliseconds())
                        .build();
                try {
                    int size = buf.readableBytes();
                    AppendResult r = log.appendAsLeader(buf, 0, clock.milliseconds());
                    if (r.isSuccess()) {
                        acked.add(new long[] {r.firstOffset(), r.lastOffset()});
                        ackedBytes += size;
                        log.updateHighWatermark(log.logEndOffset());
                    } else {
                        failed = r;
                    }
                } finally {
                    buf.release();
                }
                clock.advance(1);
            }
            assertThat(failed).as("the disk filled up").isNotNull();
            assertThat(failed.outcome()).isEqualTo(AppendOutcome.STORAGE_ERROR);
            assertThat(acked).as("appends before the disk was full").isNotEmpty();
            long ackedRecords = acked.get(acked.size() - 1)[1] + 1;

            LogDir logDir = m.logDir(logDirPath);
            assertThat(logDir.isOnline()).isFalse();
            assertThat(logDir.failure()).hasMessageContaining("No space left on device");
            assertThat(log.isOffline()).isTrue();
            assertThat(log.logEndOffset())
                    .as("the log end covers the acknowledged batches only")
                    .isEqualTo(ackedRecords);
            assertThat(logFileBytes(log.dir()))
                    .as("segment bytes on disk: whole acknowledged batches, no partial one")
                    .isEqualTo(ackedBytes);

            // Offline: refused without touching the disk, never a hang or an exception.
            ByteBuf more = spec().count(1).build();
            try {
                assertThat(log.appendAsLeader(more, 0, clock.milliseconds()).outcome())
                        .isEqualTo(AppendOutcome.STORAGE_ERROR);
            } finally {
                more.release();
            }
            assertThat(log.read(0, 1024, Long.MAX_VALUE, true).outcome()).isEqualTo(ReadOutcome.STORAGE_ERROR);
            CompletableFuture<Void> durable = log.awaitDurable(ackedRecords - 1);
            assertThat(durable).as("no wait for an fsync that cannot happen").isCompletedExceptionally();

            m.shutdown();
            assertThat(new File(logDirPath, LogFiles.CLEAN_SHUTDOWN_MARKER))
                    .as("an offline dir is recovered next time")
                    .doesNotExist();

            assertThat(filler.delete()).isTrue();
            LogManager again = LogManager.start(cfg, clock, null);
            try {
                PartitionLog reopened = again.getLog(TP);
                assertThat(again.logDir(logDirPath).isOnline()).isTrue();
                assertThat(reopened.logEndOffset()).isEqualTo(ackedRecords);
                List<Long> expected = new ArrayList<>();
                for (long o = 0; o < ackedRecords; o++) {
                    expected.add(o);
                }
                reopened.updateHighWatermark(reopened.logEndOffset());
                assertThat(LogFixture.offsets(reopened))
                        .as("every acknowledged record, once, in order")
                        .isEqualTo(expected);
                ByteBuf next = spec().count(2).timestamp(clock.milliseconds()).build();
                try {
                    AppendResult r = reopened.appendAsLeader(next, 0, clock.milliseconds());
                    assertThat(r.outcome())
                            .as("space was freed: appends work again")
                            .isEqualTo(AppendOutcome.APPENDED);
                    assertThat(r.firstOffset()).isEqualTo(ackedRecords);
                } finally {
                    next.release();
                }
            } finally {
                again.shutdown();
            }
        }
    }

    private static long logFileBytes(File partitionDir) {
        long total = 0;
        File[] files = partitionDir.listFiles((d, n) -> n.endsWith(LogFiles.LOG_SUFFIX));
        for (File f : files) {
            total += f.length();
        }
        return total;
    }
}
