package io.skiff.bench.jmh;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.skiff.wire.message.FetchResponse;
import io.skiff.wire.message.ResponseHeader;
import io.skiff.wire.protocol.RecordsSink;
import io.skiff.wire.protocol.Uuid;
import io.skiff.wire.record.ByteBufRecords;
import io.skiff.wire.record.Records;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * Encodes a response header and a Fetch response body with Skiff's generated classes into a
 * pooled direct buffer of the exact size: once copying the records into the buffer, once handing
 * them to a {@link RecordsSink} as the zero-copy send path does (the buffer then holds only the
 * framing around the records). Each partition carries one 16-record batch of 1 KiB values.
 * {@code allocateOnly} is the baseline: the output buffer's allocation and release alone.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class FetchResponseEncodeBenchmark {
    private static final short HEADER_VERSION = 1;

    /** 12: topics by name (flexible); 17: topics by id, the newest clients' version. */
    @Param({"12", "17"})
    short version;

    @Param({"1", "8"})
    int partitions;

    private final ResponseHeader header = new ResponseHeader().setCorrelationId(42);
    private FetchResponse response;
    private ByteBuf batch;
    private int recordsSeen;
    private final RecordsSink sink = (buf, records) -> recordsSeen += records.sizeInBytes();

    @Setup
    public void setup() {
        batch = Unpooled.directBuffer().writeBytes(RecordBatches.batch(16, 1024));
        List<FetchResponse.PartitionData> data = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            Records records = new ByteBufRecords(batch.retainedDuplicate());
            data.add(new FetchResponse.PartitionData()
                    .setPartitionIndex(p)
                    .setHighWatermark(1_000_000L)
                    .setLastStableOffset(1_000_000L)
                    .setLogStartOffset(0L)
                    .setRecords(records));
        }
        FetchResponse.FetchableTopicResponse topic = new FetchResponse.FetchableTopicResponse().setPartitions(data);
        if (version >= 13) {
            topic.setTopicId(new Uuid(0x1234_5678_9abcL, 0x0fed_cba9_8765L));
        } else {
            topic.setTopic("bench-topic");
        }
        response = new FetchResponse().setSessionId(7).setResponses(new ArrayList<>(List.of(topic)));
    }

    @TearDown
    public void tearDown() {
        response.release();
        batch.release();
    }

    /** Baseline: only the allocation and release of the output buffer, at the copying path's size. */
    @Benchmark
    public void allocateOnly(Blackhole bh) {
        ByteBuf out = PooledByteBufAllocator.DEFAULT.directBuffer(header.size(HEADER_VERSION) + response.size(version));
        bh.consume(out.capacity());
        out.release();
    }

    @Benchmark
    public void encodeCopyingRecords(Blackhole bh) {
        ByteBuf out = PooledByteBufAllocator.DEFAULT.directBuffer(header.size(HEADER_VERSION) + response.size(version));
        header.write(out, HEADER_VERSION);
        response.write(out, version);
        bh.consume(out.writerIndex());
        out.release();
    }

    @Benchmark
    public void encodeZeroCopy(Blackhole bh) {
        int size = header.size(HEADER_VERSION) + response.size(version);
        ByteBuf out = PooledByteBufAllocator.DEFAULT.directBuffer(size);
        recordsSeen = 0;
        header.write(out, HEADER_VERSION);
        response.write(out, version, sink);
        bh.consume(out.writerIndex() + recordsSeen);
        out.release();
    }
}
