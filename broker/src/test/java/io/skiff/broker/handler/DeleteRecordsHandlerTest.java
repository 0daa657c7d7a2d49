package io.skiff.broker.handler;

import static io.skiff.broker.handler.HandlerFixture.produceOk;
import static org.assertj.core.api.Assertions.assertThat;

import io.skiff.broker.network.PipelineServer;
import io.skiff.wire.message.DeleteRecordsRequest;
import io.skiff.wire.message.DeleteRecordsResponse;
import io.skiff.wire.message.FetchRequest;
import io.skiff.wire.message.FetchResponse;
import io.skiff.wire.protocol.ApiKeys;
import io.skiff.wire.protocol.Errors;
import io.skiff.wire.record.TestBatches;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** DeleteRecordsHandler through the request pipeline: the new low watermark and the refusals. */
@Timeout(30)
class DeleteRecordsHandlerTest {
    private static final int V = 2;

    @TempDir
    Path dir;

    private HandlerFixture broker;
    private PipelineServer.Connection client;

    @BeforeEach
    void start() throws Exception {
        broker = new HandlerFixture(dir);
        broker.createTopic("t", 1);
        client = broker.connect();
        produceOk(client, "t", 0, TestBatches.spec().count(2));
        produceOk(client, "t", 0, TestBatches.spec().count(3));
    }

    @AfterEach
    void stop() throws Exception {
        broker.close();
    }

    private DeleteRecordsResponse.DeleteRecordsPartitionResult delete(String topic, int partition, long offset)
            throws Exception {
        DeleteRecordsRequest request = new DeleteRecordsRequest()
                .setTimeoutMs(5000)
                .setTopics(List.of(new DeleteRecordsRequest.DeleteRecordsTopic()
                        .setName(topic)
                        .setPartitions(List.of(new DeleteRecordsRequest.DeleteRecordsPartition()
                                .setPartitionIndex(partition)
                                .setOffset(offset)))));
        DeleteRecordsResponse r = client.call(ApiKeys.DELETE_RECORDS, V, request, new DeleteRecordsResponse());
        assertThat(r.topics().get(0).name()).isEqualTo(topic);
        DeleteRecordsResponse.DeleteRecordsPartitionResult p =
                r.topics().get(0).partitions().get(0);
        assertThat(p.partitionIndex()).isEqualTo(partition);
        return p;
    }

    private static void assertResult(DeleteRecordsResponse.DeleteRecordsPartitionResult p, Errors error, long low) {
        assertThat(Errors.forCode(p.errorCode())).isEqualTo(error);
        assertThat(p.lowWatermark()).as("low watermark").isEqualTo(low);
    }

    private Errors fetchError(long offset) throws Exception {
        FetchRequest request = new FetchRequest()
                .setMaxWaitMs(0)
                .setTopics(List.of(new FetchRequest.FetchTopic()
                        .setTopic("t")
                        .setPartitions(List.of(new FetchRequest.FetchPartition()
                                .setPartition(0)
                                .setFetchOffset(offset)
                                .setPartitionMaxBytes(1 << 20)))));
        FetchResponse r = client.call(ApiKeys.FETCH, 12, request, new FetchResponse());
        return Errors.forCode(r.responses().get(0).partitions().get(0).errorCode());
    }

    @Test
    void recordsBeforeTheOffsetAreGoneAndTheAnswerIsTheNewLowWatermark() throws Exception {
        assertResult(delete("t", 0, 3), Errors.NONE, 3);
        assertThat(broker.partition("t", 0).log().logStartOffset()).isEqualTo(3);
        assertThat(fetchError(2)).isEqualTo(Errors.OFFSET_OUT_OF_RANGE);
        assertThat(fetchError(3)).isEqualTo(Errors.NONE);
    }

    @Test
    void offsetMinusOneMeansTheHighWatermark() throws Exception {
        assertResult(delete("t", 0, -1), Errors.NONE, 5);
    }

    @Test
    void anOffsetBelowTheLowWatermarkLeavesItWhereItIs() throws Exception {
        assertResult(delete("t", 0, 4), Errors.NONE, 4);
        assertResult(delete("t", 0, 1), Errors.NONE, 4);
    }

    @Test
    void anOffsetBeyondTheHighWatermarkIsOutOfRange() throws Exception {
        assertResult(delete("t", 0, 6), Errors.OFFSET_OUT_OF_RANGE, -1);
        assertThat(broker.partition("t", 0).log().logStartOffset()).isZero();
    }

    @Test
    void aCompactedTopicRefusesWithPolicyViolation() throws Exception {
        broker.createTopic("compacted", 1, Map.of("cleanup.policy", "compact"));
        assertResult(delete("compacted", 0, 0), Errors.POLICY_VIOLATION, -1);
    }

    @Test
    void anUnknownTopicOrPartitionIsAnsweredUnknownTopicOrPartition() throws Exception {
        assertResult(delete("nope", 0, 0), Errors.UNKNOWN_TOPIC_OR_PARTITION, -1);
        assertResult(delete("t", 1, 0), Errors.UNKNOWN_TOPIC_OR_PARTITION, -1);
    }
}
