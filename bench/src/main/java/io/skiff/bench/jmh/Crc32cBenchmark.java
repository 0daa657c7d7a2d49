package io.skiff.bench.jmh;

import java.nio.ByteBuffer;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * CRC32C (the record batch v2 checksum) over a batch-sized region, with the JDK's intrinsic
 * {@link CRC32C}: from a heap array and from a direct buffer (how a network read arrives).
 * Reuses one checksum object, as a validator would.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class Crc32cBenchmark {
    @Param({"1024", "16384"})
    int sizeInBytes;

    private byte[] heap;
    private ByteBuffer direct;
    private final CRC32C crc = new CRC32C();

    @Setup
    public void setup() {
        heap = new byte[sizeInBytes];
        new Random(7).nextBytes(heap);
        direct = ByteBuffer.allocateDirect(sizeInBytes);
        direct.put(heap).flip();
    }

    @Benchmark
    public long heapArray() {
        crc.reset();
        crc.update(heap, 0, heap.length);
        return crc.getValue();
    }

    @Benchmark
    public long directBuffer() {
        crc.reset();
        direct.clear();
        crc.update(direct);
        return crc.getValue();
    }
}
