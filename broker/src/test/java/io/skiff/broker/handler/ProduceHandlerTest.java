package io.skiff.broker.handler;

import static io.skiff.broker.handler.HandlerFixture.produce;
import static io.skiff.broker.handler.HandlerFixture.produceOk;
import static io.skiff.broker.handler.HandlerFixture.produceRequest;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.skiff.broker.metadata.TopicImage;
import io.skiff.broker.network.PipelineServer;
import io.skiff.wire.message.MetadataRequest;
import io.skiff.wire.message.MetadataResponse;
import io.skiff.wire.message.ProduceRequest;
import io.skiff.wire.message.ProduceResponse;
import io.skiff.wire.protocol.ApiKeys;
import io.skiff.wire.protocol.Errors;
import io.skiff.wire.protocol.Uuid;
import io.skiff.wire.record.ByteBufRecords;
import io.skiff.wire.record.TestBatches;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.compress.Compression;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** ProduceHandler through the request pipeline: the checks it makes before, around and after the append. */
@Timeout(30)
class ProduceHandlerTest {
    @TempDir
    Path dir;

    private HandlerFixture broker;
    private PipelineServer.Connection client;

    @BeforeEach
    void start() throws Exception {
        broker = new HandlerFixture(dir);
        broker.createTopic("t", 2);
        client = broker.connect();
    }

    @AfterEach
    void stop() throws Exception {
        broker.close();
    }

    private ProduceResponse.PartitionProduceResponse send(int version, ProduceRequest request) throws Exception {
        ProduceResponse r = client.call(ApiKeys.PRODUCE, version, request, new ProduceResponse());
        assertThat(r.responses()).hasSize(1);
        assertThat(r.responses().get(0).partitionResponses()).hasSize(1);
        return r.responses().get(0).partitionResponses().get(0);
    }

    private ProduceResponse.PartitionProduceResponse send(
            int version, String topic, int partition, short acks, TestBatches.Spec spec) throws Exception {
        ByteBuf batch = spec.build();
        try {
            return send(version, produceRequest(topic, partition, acks, batch));
        } finally {
            batch.release();
        }
    }

    private static void assertRefused(ProduceResponse.PartitionProduceResponse r, Errors error) {
        assertThat(Errors.forCode(r.errorCode())).isEqualTo(error);
        assertThat(r.baseOffset()).isEqualTo(-1);
        assertThat(r.logAppendTimeMs()).isEqualTo(-1);
        assertThat(r.logStartOffset()).isEqualTo(-1);
    }

    private long logEnd(String topic, int partition) {
        return broker.partition(topic, partition).log().logEndOffset();
    }

    @Test
    void appendsAreAnsweredWithConsecutiveBaseOffsetsAndTheLogStartOffset() throws Exception {
        ProduceResponse.PartitionProduceResponse first =
                send(9, "t", 0, (short) -1, TestBatches.spec().count(3));
        ProduceResponse.PartitionProduceResponse second =
                send(9, "t", 0, (short) 1, TestBatches.spec().count(2));
        assertThat(Errors.forCode(first.errorCode())).isEqualTo(Errors.NONE);
        assertThat(first.baseOffset()).isZero();
        assertThat(first.logStartOffset()).isZero();
        assertThat(first.logAppendTimeMs()).as("CreateTime topic").isEqualTo(-1);
        assertThat(second.baseOffset()).isEqualTo(3);
        assertThat(logEnd("t", 0)).isEqualTo(5);
        assertThat(broker.partition("t", 0).highWatermark()).isEqualTo(5);
    }

    @Test
    void invalidAcksAreRefusedWithInvalidRequiredAcksAndNothingIsAppended() throws Exception {
        ProduceResponse.PartitionProduceResponse r = send(9, "t", 0, (short) 2, TestBatches.spec());
        assertRefused(r, Errors.INVALID_REQUIRED_ACKS);
        assertThat(logEnd("t", 0)).isZero();
    }

    @Test
    void anUnknownTopicNameIsAnsweredUnknownTopicOrPartition() throws Exception {
        ProduceResponse r;
        ByteBuf batch = TestBatches.spec().build();
        try {
            r = client.call(ApiKeys.PRODUCE, 12, produceRequest("nope", 0, (short) 1, batch), new ProduceResponse());
        } finally {
            batch.release();
        }
        assertThat(r.responses().get(0).name()).isEqualTo("nope");
        assertRefused(r.responses().get(0).partitionResponses().get(0), Errors.UNKNOWN_TOPIC_OR_PARTITION);
        assertThat(broker.metadata.image().topic("nope"))
                .as("produce does not create topics")
                .isNull();
    }

    @Test
    void version13AppendsByTopicIdAndAnswersWithTheId() throws Exception {
        TopicImage t = broker.metadata.image().topic("t");
        ByteBuf batch = TestBatches.spec().count(2).build();
        ProduceResponse r;
        try {
            r = client.call(ApiKeys.PRODUCE, 13, byId(t.id(), 1, batch), new ProduceResponse());
        } finally {
            batch.release();
        }
        assertThat(r.responses().get(0).topicId()).isEqualTo(t.id());
        assertThat(Errors.forCode(
                        r.responses().get(0).partitionResponses().get(0).errorCode()))
                .isEqualTo(Errors.NONE);
        assertThat(logEnd("t", 1)).isEqualTo(2);
    }

    @Test
    void version13WithAnUnknownTopicIdIsAnsweredUnknownTopicId() throws Exception {
        Uuid unknown = Uuid.random();
        ByteBuf batch = TestBatches.spec().build();
        ProduceResponse r;
        try {
            r = client.call(ApiKeys.PRODUCE, 13, byId(unknown, 0, batch), new ProduceResponse());
        } finally {
            batch.release();
        }
        assertThat(r.responses().get(0).topicId()).isEqualTo(unknown);
        assertRefused(r.responses().get(0).partitionResponses().get(0), Errors.UNKNOWN_TOPIC_ID);
    }

    private static ProduceRequest byId(Uuid topicId, int partition, ByteBuf batch) {
        return new ProduceRequest()
                .setAcks((short) -1)
                .setTimeoutMs(30_000)
                .setTopicData(List.of(new ProduceRequest.TopicProduceData()
                        .setTopicId(topicId)
                        .setPartitionData(List.of(new ProduceRequest.PartitionProduceData()
                                .setIndex(partition)
                                .setRecords(new ByteBufRecords(batch))))));
    }

    @Test
    void internalTopicsRefuseClientAppendsWithInvalidTopic() throws Exception {
        broker.createTopic("__consumer_offsets", 1);
        ProduceResponse.PartitionProduceResponse r = send(9, "__consumer_offsets", 0, (short) 1, TestBatches.spec());
        assertRefused(r, Errors.INVALID_TOPIC_EXCEPTION);
        assertThat(r.errorMessage()).isEqualTo("Cannot append to internal topic __consumer_offsets");
        assertThat(logEnd("__consumer_offsets", 0)).isZero();
    }

    @Test
    void aPartitionIndexOutsideTheTopicIsAnsweredUnknownTopicOrPartition() throws Exception {
        assertRefused(send(9, "t", 2, (short) 1, TestBatches.spec()), Errors.UNKNOWN_TOPIC_OR_PARTITION);
        assertRefused(send(9, "t", -1, (short) 1, TestBatches.spec()), Errors.UNKNOWN_TOPIC_OR_PARTITION);
    }

    @Test
    void zstdBatchesAreRefusedBeforeVersion7AndAcceptedFrom7() throws Exception {
        TestBatches.Spec zstd =
                TestBatches.spec().compression(Compression.zstd().build()).count(4);
        assertRefused(send(6, "t", 0, (short) 1, zstd), Errors.UNSUPPORTED_COMPRESSION_TYPE);
        assertThat(logEnd("t", 0)).isZero();
        ProduceResponse.PartitionProduceResponse v7 = send(7, "t", 0, (short) 1, zstd);
        assertThat(Errors.forCode(v7.errorCode())).isEqualTo(Errors.NONE);
        assertThat(logEnd("t", 0)).isEqualTo(4);
    }

    @Test
    void acksZeroGetsNoAnswerAndTheConnectionGoesOn() throws Exception {
        ByteBuf batch = TestBatches.spec().count(3).build();
        try {
            client.send(ApiKeys.PRODUCE, 9, produceRequest("t", 0, (short) 0, batch));
        } finally {
            batch.release();
        }
        // The next answer on the connection is the metadata request's: the produce got none.
        MetadataResponse m = client.call(
                ApiKeys.METADATA,
                12,
                new MetadataRequest().setTopics(List.of(new MetadataRequest.MetadataRequestTopic().setName("t"))),
                new MetadataResponse());
        assertThat(m.topics()).hasSize(1);
        assertThat(logEnd("t", 0)).isEqualTo(3);
        assertThat(client.unread()).isZero();
    }

    @Test
    void acksZeroWithAFailedPartitionClosesTheConnection() throws Exception {
        ByteBuf batch = TestBatches.spec().build();
        try {
            client.send(ApiKeys.PRODUCE, 9, produceRequest("nope", 0, (short) 0, batch));
        } finally {
            batch.release();
        }
        assertThat(client.awaitClosed()).isTrue();
        assertThat(client.unread()).isZero();
        // Only that connection: another one is served.
        PipelineServer.Connection other = broker.connect();
        assertThat(produceOk(other, "t", 0, TestBatches.spec())).isZero();
    }

    @Test
    void recordErrorsAreAnsweredFromVersion8() throws Exception {
        broker.createTopic("compacted", 1, Map.of("cleanup.policy", "compact"));
        ProduceResponse.PartitionProduceResponse r =
                send(8, "compacted", 0, (short) 1, TestBatches.spec().count(2).nullKeys());
        assertRefused(r, Errors.INVALID_RECORD);
        assertThat(r.recordErrors()).hasSize(2);
        assertThat(r.recordErrors().get(0).batchIndex()).isZero();
        assertThat(r.recordErrors().get(1).batchIndex()).isEqualTo(1);
        assertThat(r.recordErrors().get(0).batchIndexErrorMessage())
                .isEqualTo("Compacted topic cannot accept message without key in topic partition compacted-0");
        assertThat(r.errorMessage()).startsWith("One or more records have been rejected due to 2 record errors");
        assertThat(logEnd("compacted", 0)).isZero();
    }

    @Test
    void versionsBefore8AnswerTheRecordErrorWithoutTheRecordList() throws Exception {
        broker.createTopic("compacted", 1, Map.of("cleanup.policy", "compact"));
        // Version 7 has neither record_errors nor error_message: the answer must still be writable.
        ProduceResponse.PartitionProduceResponse r =
                send(7, "compacted", 0, (short) 1, TestBatches.spec().count(2).nullKeys());
        assertRefused(r, Errors.INVALID_RECORD);
        assertThat(r.recordErrors()).isEmpty();
    }

    @Test
    void aDuplicateBatchIsAnsweredWithTheOffsetsOfTheOriginal() throws Exception {
        TestBatches.Spec first =
                TestBatches.spec().idempotent(4000L, (short) 0, 0).count(3);
        assertThat(produceOk(client, "t", 0, first)).isZero();
        assertThat(produceOk(
                        client,
                        "t",
                        0,
                        TestBatches.spec().idempotent(4000L, (short) 0, 3).count(2)))
                .isEqualTo(3);

        ProduceResponse.PartitionProduceResponse again = send(9, "t", 0, (short) -1, first);
        assertThat(Errors.forCode(again.errorCode())).isEqualTo(Errors.NONE);
        assertThat(again.baseOffset()).isZero();
        assertThat(logEnd("t", 0)).as("nothing appended").isEqualTo(5);
    }

    @Test
    void anOutOfOrderSequenceIsRefused() throws Exception {
        assertThat(produceOk(
                        client,
                        "t",
                        0,
                        TestBatches.spec().idempotent(4001L, (short) 0, 0).count(2)))
                .isZero();
        ProduceResponse.PartitionProduceResponse gap =
                produce(client, "t", 0, TestBatches.spec().idempotent(4001L, (short) 0, 5));
        assertRefused(gap, Errors.OUT_OF_ORDER_SEQUENCE_NUMBER);
        assertThat(logEnd("t", 0)).isEqualTo(2);
    }
}
