package io.skiff.bench.jmh;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.skiff.wire.message.ProduceRequest;
import io.skiff.wire.message.RequestHeader;
import io.skiff.wire.protocol.Uuid;
import io.skiff.wire.record.ByteBufRecords;
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

/**
 * Decodes a request header and a Produce request body with Skiff's generated classes, from a
 * pooled direct buffer as the frame decoder hands it over. Each partition carries one 16-record
 * batch of 1 KiB values; records stay a retained slice of the frame and are released after each
 * decode, as the broker does once the append is done.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ProduceRequestDecodeBenchmark {
    private static final short HEADER_VERSION = 2;

    /** 11: topics by name (flexible); 13: topics by id. */
    @Param({"11", "13"})
    short version;

    @Param({"1", "8"})
    int partitions;

    private ByteBuf frame;
    private final RequestHeader header = new RequestHeader();
    private final ProduceRequest request = new ProduceRequest();

    @Setup
    public void setup() {
        byte[] batch = RecordBatches.batch(16, 1024);
        List<ProduceRequest.PartitionProduceData> data = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            data.add(new ProduceRequest.PartitionProduceData()
                    .setIndex(p)
                    .setRecords(new ByteBufRecords(Unpooled.wrappedBuffer(batch))));
        }
        ProduceRequest.TopicProduceData topic = new ProduceRequest.TopicProduceData().setPartitionData(data);
        if (version >= 13) {
            topic.setTopicId(new Uuid(0x1234_5678_9abcL, 0x0fed_cba9_8765L));
        } else {
            topic.setName("bench-topic");
        }
        ProduceRequest body = new ProduceRequest()
                .setAcks((short) -1)
                .setTimeoutMs(30_000)
                .setTopicData(new ArrayList<>(List.of(topic)));
        RequestHeader h = new RequestHeader()
                .setRequestApiKey(ProduceRequest.API_KEY)
                .setRequestApiVersion(version)
                .setCorrelationId(42)
                .setClientId("producer-1");
        frame = PooledByteBufAllocator.DEFAULT.directBuffer(h.size(HEADER_VERSION) + body.size(version));
        h.write(frame, HEADER_VERSION);
        body.write(frame, version);
        body.release();
    }

    @TearDown
    public void tearDown() {
        frame.release();
    }

    @Benchmark
    public ProduceRequest decode() {
        frame.readerIndex(0);
        header.read(frame, HEADER_VERSION);
        request.read(frame, header.requestApiVersion());
        request.release();
        return request;
    }
}
