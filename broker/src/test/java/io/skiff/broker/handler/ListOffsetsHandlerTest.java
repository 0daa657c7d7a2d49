package io.skiff.broker.handler;

import static io.skiff.broker.handler.HandlerFixture.produceOk;
import static org.assertj.core.api.Assertions.assertThat;

import io.skiff.broker.network.PipelineServer;
import io.skiff.wire.message.DeleteRecordsRequest;
import io.skiff.wire.message.DeleteRecordsResponse;
import io.skiff.wire.message.ListOffsetsRequest;
import io.skiff.wire.message.ListOffsetsResponse;
import io.skiff.wire.protocol.ApiKeys;
import io.skiff.wire.protocol.Errors;
import io.skiff.wire.record.TestBatches;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * ListOffsetsHandler through the request pipeline over one partition holding, in log order:
 * offsets 0-1 (timestamps 1000, 1001) and 2 (5000) in leader epoch 0, then 3-5 (3000-3002) and
 * 6 (9000) in leader epoch 3.
 */
@Timeout(30)
class ListOffsetsHandlerTest {
    private static final int V = 8;
    private static final long LATEST = -1L;
    private static final long EARLIEST = -2L;
    private static final long MAX_TIMESTAMP = -3L;

    @TempDir
    Path dir;

    private HandlerFixture broker;
    private PipelineServer.Connection client;

    @BeforeEach
    void start() throws Exception {
        broker = new HandlerFixture(dir);
        broker.createTopic("t", 1);
        client = broker.connect();
        produceOk(client, "t", 0, TestBatches.spec().timestamp(1000).count(2));
        produceOk(client, "t", 0, TestBatches.spec().timestamp(5000));
        broker.electLeader("t", 0, 3);
        produceOk(client, "t", 0, TestBatches.spec().timestamp(3000).count(3));
        produceOk(client, "t", 0, TestBatches.spec().timestamp(9000));
    }

    @AfterEach
    void stop() throws Exception {
        broker.close();
    }

    private ListOffsetsResponse.ListOffsetsPartitionResponse list(
            int version, byte isolation, String topic, int partition, long timestamp, int currentEpoch)
            throws Exception {
        ListOffsetsRequest request = new ListOffsetsRequest()
                .setReplicaId(-1)
                .setIsolationLevel(isolation)
                .setTopics(List.of(new ListOffsetsRequest.ListOffsetsTopic()
                        .setName(topic)
                        .setPartitions(List.of(new ListOffsetsRequest.ListOffsetsPartition()
                                .setPartitionIndex(partition)
                                .setCurrentLeaderEpoch(currentEpoch)
                                .setTimestamp(timestamp)))));
        ListOffsetsResponse r = client.call(ApiKeys.LIST_OFFSETS, version, request, new ListOffsetsResponse());
        assertThat(r.topics().get(0).name()).isEqualTo(topic);
        ListOffsetsResponse.ListOffsetsPartitionResponse p =
                r.topics().get(0).partitions().get(0);
        assertThat(p.partitionIndex()).isEqualTo(partition);
        return p;
    }

    private ListOffsetsResponse.ListOffsetsPartitionResponse list(long timestamp) throws Exception {
        return list(V, (byte) 0, "t", 0, timestamp, -1);
    }

    private static void assertAnswer(
            ListOffsetsResponse.ListOffsetsPartitionResponse p, long timestamp, long offset, int leaderEpoch) {
        assertThat(Errors.forCode(p.errorCode())).isEqualTo(Errors.NONE);
        assertThat(p.timestamp()).as("timestamp").isEqualTo(timestamp);
        assertThat(p.offset()).as("offset").isEqualTo(offset);
        assertThat(p.leaderEpoch()).as("leader epoch").isEqualTo(leaderEpoch);
    }

    private static void assertError(ListOffsetsResponse.ListOffsetsPartitionResponse p, Errors error) {
        assertThat(Errors.forCode(p.errorCode())).isEqualTo(error);
        assertThat(p.timestamp()).isEqualTo(-1);
        assertThat(p.offset()).isEqualTo(-1);
        assertThat(p.leaderEpoch()).isEqualTo(-1);
    }

    @Test
    void latestIsTheHighWatermarkInTheCurrentEpoch() throws Exception {
        assertAnswer(list(LATEST), -1, 7, 3);
    }

    @Test
    void earliestIsTheLogStartOffsetInItsEpoch() throws Exception {
        assertAnswer(list(EARLIEST), -1, 0, 0);
    }

    @Test
    void earliestFollowsDeleteRecordsIntoTheEpochOfTheNewLogStart() throws Exception {
        DeleteRecordsResponse d = client.call(
                ApiKeys.DELETE_RECORDS,
                2,
                new DeleteRecordsRequest()
                        .setTimeoutMs(1000)
                        .setTopics(List.of(new DeleteRecordsRequest.DeleteRecordsTopic()
                                .setName("t")
                                .setPartitions(List.of(new DeleteRecordsRequest.DeleteRecordsPartition()
                                        .setPartitionIndex(0)
                                        .setOffset(4))))),
                new DeleteRecordsResponse());
        assertThat(d.topics().get(0).partitions().get(0).lowWatermark()).isEqualTo(4);
        assertAnswer(list(EARLIEST), -1, 4, 3);
    }

    @Test
    void maxTimestampIsTheRecordWithTheLargestTimestamp() throws Exception {
        assertAnswer(list(MAX_TIMESTAMP), 9000, 6, 3);
    }

    @Test
    void aTimestampFindsTheFirstRecordInLogOrderAtOrAfterIt() throws Exception {
        assertAnswer(list(1001), 1001, 1, 0);
        // Offset 2 (5000) comes before the 3000s in the log, so it is the answer for 2000 and 3001 alike.
        assertAnswer(list(2000), 5000, 2, 0);
        assertAnswer(list(3001), 5000, 2, 0);
        assertAnswer(list(6000), 9000, 6, 3);
    }

    @Test
    void aTimestampAfterEveryRecordFindsNothingWithoutAnError() throws Exception {
        assertAnswer(list(10_000), -1, -1, -1);
    }

    @Test
    void readCommittedLatestIsTheLastStableOffset() throws Exception {
        ListOffsetsResponse.ListOffsetsPartitionResponse p = list(V, (byte) 1, "t", 0, LATEST, -1);
        assertAnswer(p, -1, broker.partition("t", 0).lastStableOffset(), 3);
        assertThat(p.offset()).isEqualTo(7);
    }

    @Test
    void versionsBefore4AnswerWithoutALeaderEpoch() throws Exception {
        // The field does not exist before version 4: the answer must not set it, or it cannot be written.
        assertAnswer(list(3, (byte) 0, "t", 0, LATEST, -1), -1, 7, -1);
        assertAnswer(list(1, (byte) 0, "t", 0, 1001, -1), 1001, 1, -1);
    }

    @Test
    void anOlderCurrentLeaderEpochIsFencedAndANewerOneUnknown() throws Exception {
        assertError(list(V, (byte) 0, "t", 0, LATEST, 2), Errors.FENCED_LEADER_EPOCH);
        assertError(list(V, (byte) 0, "t", 0, LATEST, 4), Errors.UNKNOWN_LEADER_EPOCH);
        assertAnswer(list(V, (byte) 0, "t", 0, LATEST, 3), -1, 7, 3);
    }

    @Test
    void anUnknownTopicOrPartitionIsAnsweredUnknownTopicOrPartition() throws Exception {
        assertError(list(V, (byte) 0, "nope", 0, LATEST, -1), Errors.UNKNOWN_TOPIC_OR_PARTITION);
        assertError(list(V, (byte) 0, "t", 1, LATEST, -1), Errors.UNKNOWN_TOPIC_OR_PARTITION);
    }
}
