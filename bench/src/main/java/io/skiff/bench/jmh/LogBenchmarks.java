package io.skiff.bench.jmh;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.skiff.storage.AppendResult;
import io.skiff.storage.FileRecords;
import io.skiff.storage.LogConfig;
import io.skiff.storage.LogManager;
import io.skiff.storage.LogManagerConfig;
import io.skiff.storage.PartitionLog;
import io.skiff.storage.ReadResult;
import io.skiff.storage.TimestampAndOffset;
import io.skiff.storage.TopicPartition;
import io.skiff.wire.protocol.Uuid;
import io.skiff.wire.util.Clock;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The partition log's hot paths on real files in a temp directory: append of a 16 x 1 KiB batch
 * (page cache, and fsync with group commit from several threads), a fetch read at a random
 * offset (segment and offset-index lookup, batch-header scan, the {@link FileRecords} slice) and
 * a timestamp lookup (time index then offset index). Whole segments are deleted by retention
 * after each iteration so the disk does not fill.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class LogBenchmarks {

    /** A log manager over a temp dir with one partition. */
    @State(Scope.Benchmark)
    public static class Log {
        @Param({"pagecache", "fsync"})
        String durability;

        File dir;
        LogManager manager;
        PartitionLog log;
        final byte[] batchBytes = RecordBatches.batch(16, 1024);

        @Setup
        public void setup() throws IOException {
            dir = Files.createTempDirectory("skiff-bench-log").toFile();
            LogConfig config = LogConfig.of(Map.of(
                    "segment.bytes", Integer.toString(64 << 20), "retention.bytes", Integer.toString(256 << 20)));
            manager = LogManager.start(
                    LogManagerConfig.builder(List.of(dir))
                            .defaultLogConfig(config)
                            .durability(LogManagerConfig.Durability.parse(
                                    durability.equals("fsync") ? "fsync" : "pagecache"))
                            .build(),
                    Clock.SYSTEM,
                    topic -> null);
            log = manager.createLog(new TopicPartition("bench", 0), Uuid.random(), config);
        }

        @TearDown(Level.Iteration)
        public void trim() {
            log.deleteRetentionBreachedSegments();
        }

        @TearDown
        public void tearDown() throws IOException {
            close(manager, dir);
        }
    }

    /** One reusable batch per thread (the append patches it in place, as it does a request buffer). */
    @State(Scope.Thread)
    public static class Batch {
        ByteBuf buf;

        @Setup
        public void setup(Log log) {
            buf = PooledByteBufAllocator.DEFAULT.directBuffer(log.batchBytes.length);
            buf.writeBytes(log.batchBytes);
        }

        @TearDown
        public void tearDown() {
            buf.release();
        }
    }

    static void close(LogManager manager, File dir) throws IOException {
        manager.shutdown();
        try (Stream<Path> files = Files.walk(dir.toPath())) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Benchmark
    public long append(Log log, Batch batch) {
        // A producer's batch arrives with base offset 0; the previous append assigned a real one.
        batch.buf.setLong(0, 0L);
        AppendResult r = log.log.appendAsLeader(batch.buf, 0, System.currentTimeMillis());
        if (!r.isSuccess()) {
            throw new IllegalStateException("append failed: " + r);
        }
        if (log.durability.equals("fsync")) {
            log.log.awaitDurable(r.lastOffset()).join();
        }
        return r.lastOffset();
    }

    @Benchmark
    @Threads(4)
    public long appendFromFourThreads(Log log, Batch batch) {
        return append(log, batch);
    }

    /** A log filled with 64 MiB of batches for the read benchmarks. */
    @State(Scope.Benchmark)
    public static class Filled {
        File dir;
        LogManager manager;
        PartitionLog log;
        long endOffset;
        long baseTimestamp;

        @Setup
        public void setup() throws IOException {
            dir = Files.createTempDirectory("skiff-bench-read").toFile();
            LogConfig config = LogConfig.of(Map.of("segment.bytes", Integer.toString(16 << 20)));
            manager = LogManager.start(
                    LogManagerConfig.builder(List.of(dir))
                            .defaultLogConfig(config)
                            .build(),
                    Clock.SYSTEM,
                    topic -> null);
            log = manager.createLog(new TopicPartition("bench", 0), Uuid.random(), config);
            byte[] bytes = RecordBatches.batch(16, 1024);
            ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(bytes.length);
            baseTimestamp = System.currentTimeMillis();
            for (int i = 0; i < 4000; i++) {
                buf.clear().writeBytes(bytes);
                log.appendAsLeader(buf, 0, baseTimestamp);
            }
            buf.release();
            endOffset = log.logEndOffset();
            log.updateHighWatermark(endOffset); // what the broker's partition layer does after appends
        }

        @TearDown
        public void tearDown() throws IOException {
            close(manager, dir);
        }
    }

    @State(Scope.Thread)
    public static class Cursor {
        final Random random = new Random(5);
    }

    @Benchmark
    public int fetchReadAtRandomOffset(Filled filled, Cursor cursor) {
        long offset = (long) (cursor.random.nextDouble() * filled.endOffset);
        ReadResult r = filled.log.read(offset, 1 << 20, filled.log.highWatermark(), true);
        return r.records() == null ? 0 : r.records().sizeInBytes();
    }

    @Benchmark
    public long offsetForTimestamp(Filled filled, Cursor cursor) {
        // The fixture batches carry record timestamps 1_700_000_000_000 + 0..15.
        TimestampAndOffset t = filled.log.offsetForTimestamp(1_700_000_000_000L + cursor.random.nextInt(16));
        return t.offset();
    }
}
