package io.skiff.wire.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.skiff.wire.record.ByteBufRecords;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A request whose records field was read before a later field failed to parse gives every
 * retained slice back on {@code release()}: what was read is reachable from the message even
 * though the read threw.
 */
class PartialReadReleaseTest {
    private static ProduceRequest produce(int partitions) {
        List<ProduceRequest.PartitionProduceData> data = new ArrayList<>();
        for (int i = 0; i < partitions; i++) {
            data.add(new ProduceRequest.PartitionProduceData()
                    .setIndex(i)
                    .setRecords(new ByteBufRecords(Unpooled.wrappedBuffer(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}))));
        }
        List<ProduceRequest.TopicProduceData> topics = new ArrayList<>();
        topics.add(new ProduceRequest.TopicProduceData().setName("t").setPartitionData(data));
        return new ProduceRequest().setAcks((short) -1).setTimeoutMs(1000).setTopicData(topics);
    }

    @Test
    void aReadThatFailsAfterTheRecordsReleasesThemWithTheMessage() {
        short version = 9;
        ProduceRequest request = produce(2);
        ByteBuf encoded = Unpooled.buffer();
        request.write(encoded, version);
        request.release();
        // cut the last partition's, the topic's and the request's tagged-field counts: the read fails
        // right after the second partition's records were taken as a retained slice
        ByteBuf frame = PooledByteBufAllocator.DEFAULT.directBuffer();
        frame.writeBytes(encoded, encoded.readerIndex(), encoded.readableBytes() - 3);
        encoded.release();
        ProduceRequest read = new ProduceRequest();
        assertThatThrownBy(() -> read.read(frame, version)).isInstanceOf(RuntimeException.class);
        assertThat(frame.refCnt())
                .as("two retained slices held by the partial message")
                .isEqualTo(3);
        read.release();
        assertThat(frame.refCnt()).isEqualTo(1);
        frame.release();
    }

    @Test
    void aCompleteReadHoldsOneSlicePerRecordsField() {
        short version = 9;
        ProduceRequest request = produce(3);
        ByteBuf frame = PooledByteBufAllocator.DEFAULT.directBuffer();
        request.write(frame, version);
        request.release();
        ProduceRequest read = new ProduceRequest();
        read.read(frame, version);
        assertThat(frame.refCnt()).isEqualTo(4);
        read.release();
        assertThat(frame.refCnt()).isEqualTo(1);
        frame.release();
    }
}
