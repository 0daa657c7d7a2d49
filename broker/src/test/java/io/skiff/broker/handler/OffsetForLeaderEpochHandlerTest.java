package io.skiff.broker.handler;

import static io.skiff.broker.handler.HandlerFixture.produceOk;
import static org.assertj.core.api.Assertions.assertThat;

import io.skiff.broker.network.PipelineServer;
import io.skiff.wire.message.OffsetForLeaderEpochRequest;
import io.skiff.wire.message.OffsetForLeaderEpochResponse;
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
 * OffsetForLeaderEpochHandler through the request pipeline over one partition whose leader epochs
 * are 0 (offsets 0-2), 2 (3-4) and 5 (from 5; the log ends at 6).
 */
@Timeout(30)
class OffsetForLeaderEpochHandlerTest {
    private static final int V = 4;

    @TempDir
    Path dir;

    private HandlerFixture broker;
    private PipelineServer.Connection client;

    @BeforeEach
    void start() throws Exception {
        broker = new HandlerFixture(dir);
        broker.createTopic("t", 1);
        client = broker.connect();
        produceOk(client, "t", 0, TestBatches.spec().count(3));
        broker.electLeader("t", 0, 2);
        produceOk(client, "t", 0, TestBatches.spec().count(2));
        broker.electLeader("t", 0, 5);
        produceOk(client, "t", 0, TestBatches.spec());
    }

    @AfterEach
    void stop() throws Exception {
        broker.close();
    }

    private OffsetForLeaderEpochResponse.EpochEndOffset endOf(String topic, int partition, int epoch, int currentEpoch)
            throws Exception {
        OffsetForLeaderEpochRequest request = new OffsetForLeaderEpochRequest()
                .setReplicaId(-1)
                .setTopics(List.of(new OffsetForLeaderEpochRequest.OffsetForLeaderTopic()
                        .setTopic(topic)
                        .setPartitions(List.of(new OffsetForLeaderEpochRequest.OffsetForLeaderPartition()
                                .setPartition(partition)
                                .setCurrentLeaderEpoch(currentEpoch)
                                .setLeaderEpoch(epoch)))));
        OffsetForLeaderEpochResponse r =
                client.call(ApiKeys.OFFSET_FOR_LEADER_EPOCH, V, request, new OffsetForLeaderEpochResponse());
        assertThat(r.topics().get(0).topic()).isEqualTo(topic);
        OffsetForLeaderEpochResponse.EpochEndOffset p =
                r.topics().get(0).partitions().get(0);
        assertThat(p.partition()).isEqualTo(partition);
        return p;
    }

    private OffsetForLeaderEpochResponse.EpochEndOffset endOf(int epoch) throws Exception {
        return endOf("t", 0, epoch, -1);
    }

    private static void assertEnd(OffsetForLeaderEpochResponse.EpochEndOffset p, Errors error, int epoch, long offset) {
        assertThat(Errors.forCode(p.errorCode())).isEqualTo(error);
        assertThat(p.leaderEpoch()).as("leader epoch").isEqualTo(epoch);
        assertThat(p.endOffset()).as("end offset").isEqualTo(offset);
    }

    @Test
    void anEpochEndsWhereTheNextOneStarts() throws Exception {
        assertEnd(endOf(0), Errors.NONE, 0, 3);
        assertEnd(endOf(2), Errors.NONE, 2, 5);
    }

    @Test
    void theCurrentEpochEndsAtTheLogEnd() throws Exception {
        assertEnd(endOf(5), Errors.NONE, 5, 6);
    }

    @Test
    void anEpochThatNeverLedAnswersTheLargestEpochBelowItAndItsEnd() throws Exception {
        assertEnd(endOf(1), Errors.NONE, 0, 3);
        assertEnd(endOf(4), Errors.NONE, 2, 5);
    }

    @Test
    void anEpochAfterTheLatestIsUndefined() throws Exception {
        assertEnd(endOf(9), Errors.NONE, -1, -1);
    }

    @Test
    void anOlderCurrentLeaderEpochIsFencedAndANewerOneUnknown() throws Exception {
        assertEnd(endOf("t", 0, 2, 4), Errors.FENCED_LEADER_EPOCH, -1, -1);
        assertEnd(endOf("t", 0, 2, 6), Errors.UNKNOWN_LEADER_EPOCH, -1, -1);
        assertEnd(endOf("t", 0, 2, 5), Errors.NONE, 2, 5);
    }

    @Test
    void anUnknownTopicOrPartitionIsAnsweredUnknownTopicOrPartition() throws Exception {
        assertEnd(endOf("nope", 0, 0, -1), Errors.UNKNOWN_TOPIC_OR_PARTITION, -1, -1);
        assertEnd(endOf("t", 3, 0, -1), Errors.UNKNOWN_TOPIC_OR_PARTITION, -1, -1);
    }
}
