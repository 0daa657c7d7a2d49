package io.skiff.bench.jmh;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.skiff.wire.record.BatchValidator;
import io.skiff.wire.record.TimestampType;
import io.skiff.wire.record.ValidationResult;
import io.skiff.wire.record.ValidationRules;
import java.nio.ByteBuffer;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Produce-side validation of one batch of 16 records of 1 KiB ({@link BatchValidator}, the
 * same as every append runs): CRC32C, header checks and every record, decompressed by
 * streaming for the compressed codecs. The batch is in a pooled direct buffer, as a network
 * read leaves it.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class BatchValidationBenchmark {
    @Param({"none", "gzip", "snappy", "lz4", "zstd"})
    String codec;

    private final BatchValidator validator = new BatchValidator();
    private final ValidationResult result = new ValidationResult();
    private final ValidationRules rules =
            new ValidationRules(1_048_588, false, TimestampType.CREATE_TIME, Long.MAX_VALUE, Long.MAX_VALUE);
    private ByteBuf batch;
    private long now;

    @Setup
    public void setup() {
        Random random = new Random(3);
        SimpleRecord[] records = new SimpleRecord[16];
        now = System.currentTimeMillis();
        for (int i = 0; i < records.length; i++) {
            byte[] value = new byte[1024];
            for (int j = 0; j < value.length; j++) {
                value[j] = (byte) ('A' + random.nextInt(26));
            }
            records[i] = new SimpleRecord(now, null, value);
        }
        ByteBuffer b = MemoryRecords.withRecords(Compression.of(codec).build(), records)
                .buffer();
        batch = PooledByteBufAllocator.DEFAULT.directBuffer(b.remaining());
        batch.writeBytes(b);
    }

    @TearDown
    public void tearDown() {
        batch.release();
    }

    @Benchmark
    public boolean validate() {
        return validator.validate(batch, rules, "bench-0", now, result);
    }
}
