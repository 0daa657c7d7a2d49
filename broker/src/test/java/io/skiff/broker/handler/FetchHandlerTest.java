package io.skiff.broker.handler;

import static io.skiff.broker.handler.HandlerFixture.produceOk;
import static org.assertj.core.api.Assertions.assertThat;

import io.skiff.broker.fetch.PurgatoryProbe;
import io.skiff.broker.metadata.TopicImage;
import io.skiff.broker.network.PipelineServer;
import io.skiff.wire.message.FetchRequest;
import io.skiff.wire.message.FetchResponse;
import io.skiff.wire.protocol.ApiKeys;
import io.skiff.wire.protocol.Errors;
import io.skiff.wire.protocol.Uuid;
import io.skiff.wire.record.ByteBufRecords;
import io.skiff.wire.record.TestBatches;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** FetchHandler through the request pipeline: fencing, errors, byte limits, long polls and sessions. */
@Timeout(30)
class FetchHandlerTest {
    private static final int V = 12;

    @TempDir
    Path dir;

    private HandlerFixture broker;
    private PipelineServer.Connection client;
    private PipelineServer.Connection producer;

    @BeforeEach
    void start() throws Exception {
        broker = new HandlerFixture(dir);
        broker.createTopic("t", 2);
        client = broker.connect();
        producer = broker.connect();
    }

    @AfterEach
    void stop() throws Exception {
        broker.close();
    }

    private static FetchRequest.FetchPartition at(int partition, long offset) {
        return new FetchRequest.FetchPartition()
                .setPartition(partition)
                .setFetchOffset(offset)
                .setPartitionMaxBytes(1 << 20);
    }

    /** A sessionless fetch of topic {@code t} by name that does not wait. */
    private static FetchRequest fetch(FetchRequest.FetchPartition... partitions) {
        return new FetchRequest()
                .setMaxWaitMs(0)
                .setMinBytes(0)
                .setTopics(new ArrayList<>(List.of(new FetchRequest.FetchTopic()
                        .setTopic("t")
                        .setPartitions(new ArrayList<>(List.of(partitions))))));
    }

    private FetchResponse call(FetchRequest request) throws Exception {
        return client.call(ApiKeys.FETCH, V, request, new FetchResponse());
    }

    private static FetchResponse.PartitionData only(FetchResponse r) {
        assertThat(Errors.forCode(r.errorCode())).isEqualTo(Errors.NONE);
        assertThat(r.responses()).hasSize(1);
        assertThat(r.responses().get(0).partitions()).hasSize(1);
        return r.responses().get(0).partitions().get(0);
    }

    private static MemoryRecords records(FetchResponse.PartitionData p) {
        return TestBatches.kafkaView(((ByteBufRecords) p.records()).buffer());
    }

    private static List<Long> baseOffsets(FetchResponse.PartitionData p) {
        List<Long> out = new ArrayList<>();
        for (RecordBatch b : records(p).batches()) {
            out.add(b.baseOffset());
        }
        return out;
    }

    private static void assertFailed(FetchResponse.PartitionData p, Errors error) {
        assertThat(Errors.forCode(p.errorCode())).isEqualTo(error);
        assertThat(p.records().sizeInBytes()).isZero();
        assertThat(p.highWatermark()).as("high watermark").isEqualTo(-1);
    }

    @Test
    void returnsTheRecordsFromTheFetchOffsetWithTheWatermarks() throws Exception {
        produceOk(producer, "t", 0, TestBatches.spec().count(3));
        produceOk(producer, "t", 0, TestBatches.spec().count(2));
        FetchResponse.PartitionData p = only(call(fetch(at(0, 3))));
        assertThat(Errors.forCode(p.errorCode())).isEqualTo(Errors.NONE);
        assertThat(p.highWatermark()).isEqualTo(5);
        assertThat(p.lastStableOffset()).isEqualTo(5);
        assertThat(p.logStartOffset()).isZero();
        assertThat(baseOffsets(p)).containsExactly(3L);
        assertThat(broker.server.fileRegionsSent())
                .as("records leave as file regions")
                .isEqualTo(1);
    }

    @Test
    void version13FetchesByTopicIdAndAnswersUnknownTopicIdForAnIdItDoesNotKnow() throws Exception {
        produceOk(producer, "t", 1, TestBatches.spec().count(2));
        TopicImage t = broker.metadata.image().topic("t");
        Uuid unknown = Uuid.random();
        FetchRequest request = new FetchRequest()
                .setMaxWaitMs(0)
                .setTopics(new ArrayList<>(List.of(
                        new FetchRequest.FetchTopic()
                                .setTopicId(t.id())
                                .setPartitions(new ArrayList<>(List.of(at(1, 0)))),
                        new FetchRequest.FetchTopic()
                                .setTopicId(unknown)
                                .setPartitions(new ArrayList<>(List.of(at(0, 0)))))));
        FetchResponse r = client.call(ApiKeys.FETCH, 13, request, new FetchResponse());
        assertThat(r.responses()).hasSize(2);
        assertThat(r.responses().get(0).topicId()).isEqualTo(t.id());
        assertThat(baseOffsets(r.responses().get(0).partitions().get(0))).containsExactly(0L);
        assertThat(r.responses().get(1).topicId()).isEqualTo(unknown);
        assertFailed(r.responses().get(1).partitions().get(0), Errors.UNKNOWN_TOPIC_ID);
    }

    @Test
    void anUnknownTopicNameOrPartitionIsAnsweredUnknownTopicOrPartition() throws Exception {
        assertFailed(only(call(fetch(at(2, 0)))), Errors.UNKNOWN_TOPIC_OR_PARTITION);
        FetchRequest other = new FetchRequest()
                .setMaxWaitMs(0)
                .setTopics(new ArrayList<>(List.of(new FetchRequest.FetchTopic()
                        .setTopic("nope")
                        .setPartitions(new ArrayList<>(List.of(at(0, 0)))))));
        assertFailed(only(call(other)), Errors.UNKNOWN_TOPIC_OR_PARTITION);
    }

    @Test
    void anOlderLeaderEpochIsFencedAndANewerOneUnknown() throws Exception {
        produceOk(producer, "t", 0, TestBatches.spec());
        broker.electLeader("t", 0, 3);
        assertFailed(only(call(fetch(at(0, 0).setCurrentLeaderEpoch(2)))), Errors.FENCED_LEADER_EPOCH);
        assertFailed(only(call(fetch(at(0, 0).setCurrentLeaderEpoch(4)))), Errors.UNKNOWN_LEADER_EPOCH);
        FetchResponse.PartitionData current = only(call(fetch(at(0, 0).setCurrentLeaderEpoch(3))));
        assertThat(Errors.forCode(current.errorCode())).isEqualTo(Errors.NONE);
        assertThat(baseOffsets(current)).containsExactly(0L);
        FetchResponse.PartitionData unset = only(call(fetch(at(0, 0).setCurrentLeaderEpoch(-1))));
        assertThat(Errors.forCode(unset.errorCode()))
                .as("-1: the client does not know")
                .isEqualTo(Errors.NONE);
    }

    @Test
    void aReplicaFetchFromABrokerThatIsNoReplicaIsRefusedAndChangesNothing() throws Exception {
        produceOk(producer, "t", 0, TestBatches.spec().count(3));
        FetchResponse.PartitionData p = only(call(fetch(at(0, 3)).setReplicaId(5)));
        assertFailed(p, Errors.NOT_LEADER_OR_FOLLOWER);
        assertThat(only(call(fetch(at(0, 0)))).highWatermark()).isEqualTo(3);
    }

    @Test
    void anOffsetPastTheLogEndIsOutOfRange() throws Exception {
        produceOk(producer, "t", 0, TestBatches.spec().count(3));
        FetchResponse.PartitionData past = only(call(fetch(at(0, 4))));
        assertFailed(past, Errors.OFFSET_OUT_OF_RANGE);
        // Apache Kafka answers a failed read with no offsets at all.
        assertThat(past.highWatermark()).isEqualTo(-1);
        assertThat(past.lastStableOffset()).isEqualTo(-1);
        assertThat(past.logStartOffset()).isEqualTo(-1);
        FetchResponse.PartitionData atEnd = only(call(fetch(at(0, 3))));
        assertThat(Errors.forCode(atEnd.errorCode()))
                .as("the log end itself is in range")
                .isEqualTo(Errors.NONE);
        assertThat(atEnd.records().sizeInBytes()).isZero();
    }

    @Test
    void theFirstBatchIsReturnedWholeAboveMaxBytesAndNothingMoreFollows() throws Exception {
        produceOk(producer, "t", 0, TestBatches.spec().count(5).valueSize(200));
        produceOk(producer, "t", 0, TestBatches.spec().count(5).valueSize(200));
        produceOk(producer, "t", 1, TestBatches.spec().count(5).valueSize(200));
        FetchRequest request = fetch(at(0, 0), at(1, 0)).setMaxBytes(100);
        FetchResponse r = call(request);
        List<FetchResponse.PartitionData> parts = r.responses().get(0).partitions();
        assertThat(parts).hasSize(2);
        assertThat(baseOffsets(parts.get(0)))
                .as("one whole batch, larger than max_bytes")
                .containsExactly(0L);
        assertThat(parts.get(0).records().sizeInBytes()).isGreaterThan(1000);
        assertThat(Errors.forCode(parts.get(1).errorCode())).isEqualTo(Errors.NONE);
        assertThat(parts.get(1).records().sizeInBytes())
                .as("max_bytes is used up")
                .isZero();
        assertThat(parts.get(1).highWatermark()).isEqualTo(5);

        FetchResponse.PartitionData limited = only(call(fetch(at(0, 0).setPartitionMaxBytes(10))));
        assertThat(baseOffsets(limited))
                .as("partition_max_bytes: the first batch whole too")
                .containsExactly(0L);
    }

    @Test
    void aLongPollIsAnsweredWhenAnotherConnectionAppends() throws Exception {
        int id = client.send(ApiKeys.FETCH, V, fetch(at(0, 0)).setMinBytes(1).setMaxWaitMs(60_000));
        awaitParked();
        assertThat(client.unread()).isZero();
        produceOk(producer, "t", 0, TestBatches.spec().count(4));
        FetchResponse.PartitionData p = only(client.receive(id, ApiKeys.FETCH, V, new FetchResponse()));
        assertThat(baseOffsets(p)).containsExactly(0L);
        assertThat(p.highWatermark()).isEqualTo(4);
    }

    @Test
    void aLongPollExpiresAfterMaxWaitWithWhatIsThere() throws Exception {
        produceOk(producer, "t", 0, TestBatches.spec().count(2));
        long start = System.nanoTime();
        FetchResponse r = call(fetch(at(0, 0)).setMinBytes(1 << 20).setMaxWaitMs(150));
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isGreaterThanOrEqualTo(150);
        assertThat(baseOffsets(only(r))).containsExactly(0L);

        FetchResponse empty = call(fetch(at(1, 0)).setMinBytes(1).setMaxWaitMs(50));
        assertThat(only(empty).records().sizeInBytes()).isZero();
    }

    private void awaitParked() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(PipelineServer.WAIT_SECONDS);
        while (PurgatoryProbe.waiting(broker.purgatory) == 0) {
            assertThat(System.nanoTime()).as("the fetch is parked").isLessThan(deadline);
            Thread.onSpinWait();
        }
    }

    @Test
    void aSessionAnswersOnlyThePartitionsWithNews() throws Exception {
        produceOk(producer, "t", 0, TestBatches.spec().count(2));
        FetchResponse full = call(fetch(at(0, 2), at(1, 0)).setSessionId(0).setSessionEpoch(0));
        int session = full.sessionId();
        assertThat(session).as("a session is created").isNotZero();
        assertThat(full.responses().get(0).partitions()).hasSize(2);

        FetchResponse quiet = call(fetch().setSessionId(session).setSessionEpoch(1));
        assertThat(Errors.forCode(quiet.errorCode())).isEqualTo(Errors.NONE);
        assertThat(quiet.sessionId()).isEqualTo(session);
        assertThat(quiet.responses()).as("nothing changed").isEmpty();

        produceOk(producer, "t", 1, TestBatches.spec().count(3));
        FetchResponse news = call(fetch().setSessionId(session).setSessionEpoch(2));
        FetchResponse.PartitionData p = only(news);
        assertThat(p.partitionIndex()).isEqualTo(1);
        assertThat(baseOffsets(p)).containsExactly(0L);
    }

    @Test
    void anUnknownSessionOrAWrongEpochIsATopLevelError() throws Exception {
        FetchResponse unknown = call(fetch().setSessionId(123_456).setSessionEpoch(1));
        assertThat(Errors.forCode(unknown.errorCode())).isEqualTo(Errors.FETCH_SESSION_ID_NOT_FOUND);
        assertThat(unknown.sessionId()).isZero();
        assertThat(unknown.responses()).isEmpty();

        int session = call(fetch(at(0, 0)).setSessionId(0).setSessionEpoch(0)).sessionId();
        FetchResponse wrongEpoch = call(fetch().setSessionId(session).setSessionEpoch(5));
        assertThat(Errors.forCode(wrongEpoch.errorCode())).isEqualTo(Errors.INVALID_FETCH_SESSION_EPOCH);
    }

    @Test
    void epochMinusOneClosesTheSessionAndFetchesWithoutOne() throws Exception {
        int session = call(fetch(at(0, 0)).setSessionId(0).setSessionEpoch(0)).sessionId();
        FetchResponse closing = call(fetch(at(1, 0)).setSessionId(session).setSessionEpoch(-1));
        assertThat(closing.sessionId()).isZero();
        assertThat(only(closing).partitionIndex()).isEqualTo(1);
        FetchResponse after = call(fetch().setSessionId(session).setSessionEpoch(1));
        assertThat(Errors.forCode(after.errorCode())).isEqualTo(Errors.FETCH_SESSION_ID_NOT_FOUND);
    }
}
