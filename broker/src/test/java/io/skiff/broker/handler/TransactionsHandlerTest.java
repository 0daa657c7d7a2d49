package io.skiff.broker.handler;

import static io.skiff.broker.handler.HandlerFixture.produceOk;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.skiff.broker.network.PipelineServer;
import io.skiff.wire.message.DescribeProducersRequest;
import io.skiff.wire.message.DescribeProducersResponse;
import io.skiff.wire.message.FetchRequest;
import io.skiff.wire.message.FetchResponse;
import io.skiff.wire.message.ListOffsetsRequest;
import io.skiff.wire.message.ListOffsetsResponse;
import io.skiff.wire.message.ProduceRequest;
import io.skiff.wire.message.ProduceResponse;
import io.skiff.wire.message.WriteTxnMarkersRequest;
import io.skiff.wire.message.WriteTxnMarkersResponse;
import io.skiff.wire.protocol.ApiKeys;
import io.skiff.wire.protocol.Errors;
import io.skiff.wire.record.ByteBufRecords;
import io.skiff.wire.record.TestBatches;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Transactions on the data path through the request pipeline: transactional produce with its
 * verification, WriteTxnMarkers, read_committed fetches, ListOffsets and DescribeProducers.
 */
@Timeout(60)
class TransactionsHandlerTest {
    private static final long PID = 501L;
    private static final long OTHER = 502L;

    @TempDir
    Path dir;

    private HandlerFixture broker;
    private PipelineServer.Connection client;

    @BeforeEach
    void start() throws Exception {
        broker = new HandlerFixture(dir);
        broker.createTopic("t", 1);
        client = broker.connect();
    }

    @AfterEach
    void stop() throws Exception {
        broker.close();
    }

    // ---------------------------------------------------------------------------------------------
    // helpers

    /**
     * A batch stamped now: markers carry the broker's clock, and a batch of the past would roll the
     * segment by time (segment.ms) before them, splitting what one read returns.
     */
    private static TestBatches.Spec now() {
        return TestBatches.spec().timestamp(System.currentTimeMillis());
    }

    private static ProduceRequest txnProduce(ByteBuf records) {
        ProduceRequest r = HandlerFixture.produceRequest("t", 0, (short) -1, records);
        return r.setTransactionalId("tx-" + 1);
    }

    private ProduceResponse.PartitionProduceResponse produceTxn(
            PipelineServer.Connection c, int version, long pid, short epoch, int seq, int count) throws Exception {
        ByteBuf batch =
                now().idempotent(pid, epoch, seq).transactional().count(count).build();
        try {
            ProduceResponse r = c.call(ApiKeys.PRODUCE, version, txnProduce(batch), new ProduceResponse());
            return r.responses().get(0).partitionResponses().get(0);
        } finally {
            batch.release();
        }
    }

    private static WriteTxnMarkersRequest.WritableTxnMarker marker(
            long pid, short epoch, int coordinatorEpoch, boolean commit, String topic, int... partitions) {
        List<Integer> indexes = new ArrayList<>();
        for (int p : partitions) {
            indexes.add(p);
        }
        return new WriteTxnMarkersRequest.WritableTxnMarker()
                .setProducerId(pid)
                .setProducerEpoch(epoch)
                .setCoordinatorEpoch(coordinatorEpoch)
                .setTransactionResult(commit)
                .setTopics(List.of(new WriteTxnMarkersRequest.WritableTxnMarkerTopic()
                        .setName(topic)
                        .setPartitionIndexes(indexes)));
    }

    private WriteTxnMarkersResponse writeMarkers(int version, WriteTxnMarkersRequest.WritableTxnMarker... markers)
            throws Exception {
        return client.call(
                ApiKeys.WRITE_TXN_MARKERS,
                version,
                new WriteTxnMarkersRequest().setMarkers(List.of(markers)),
                new WriteTxnMarkersResponse());
    }

    private Errors writeMarker(long pid, short epoch, int coordinatorEpoch, boolean commit) throws Exception {
        WriteTxnMarkersResponse r = writeMarkers(1, marker(pid, epoch, coordinatorEpoch, commit, "t", 0));
        return Errors.forCode(
                r.markers().get(0).topics().get(0).partitions().get(0).errorCode());
    }

    private FetchResponse.PartitionData fetch(byte isolation, long offset) throws Exception {
        FetchRequest request = new FetchRequest()
                .setMaxWaitMs(0)
                .setMinBytes(0)
                .setMaxBytes(1 << 20)
                .setIsolationLevel(isolation)
                .setTopics(List.of(new FetchRequest.FetchTopic()
                        .setTopic("t")
                        .setPartitions(List.of(new FetchRequest.FetchPartition()
                                .setPartition(0)
                                .setFetchOffset(offset)
                                .setPartitionMaxBytes(1 << 20)))));
        FetchResponse r = client.call(ApiKeys.FETCH, 12, request, new FetchResponse());
        return r.responses().get(0).partitions().get(0);
    }

    private static List<Long> baseOffsets(FetchResponse.PartitionData p) {
        MemoryRecords m = TestBatches.kafkaView(((ByteBufRecords) p.records()).buffer());
        List<Long> out = new ArrayList<>();
        for (RecordBatch b : m.batches()) {
            out.add(b.baseOffset());
        }
        return out;
    }

    private long latest(byte isolation) throws Exception {
        ListOffsetsRequest request = new ListOffsetsRequest()
                .setReplicaId(-1)
                .setIsolationLevel(isolation)
                .setTopics(List.of(new ListOffsetsRequest.ListOffsetsTopic()
                        .setName("t")
                        .setPartitions(List.of(new ListOffsetsRequest.ListOffsetsPartition()
                                .setPartitionIndex(0)
                                .setTimestamp(-1)))));
        ListOffsetsResponse r = client.call(ApiKeys.LIST_OFFSETS, 7, request, new ListOffsetsResponse());
        return r.topics().get(0).partitions().get(0).offset();
    }

    /** 0-2 PID aborted (marker 3), 4-5 plain, 6-7 OTHER open. */
    private void abortedThenPlainThenOpen() throws Exception {
        assertThat(Errors.forCode(produceTxn(client, 11, PID, (short) 0, 0, 3).errorCode()))
                .isEqualTo(Errors.NONE);
        assertThat(writeMarker(PID, (short) 0, 1, false)).isEqualTo(Errors.NONE);
        produceOk(client, "t", 0, now().count(2));
        assertThat(Errors.forCode(produceTxn(client, 11, OTHER, (short) 0, 0, 2).errorCode()))
                .isEqualTo(Errors.NONE);
    }

    // ---------------------------------------------------------------------------------------------
    // produce

    @Test
    void aTransactionalProduceIsVerifiedOnceThenAppendsAsTheTransactionGoesOn() throws Exception {
        ProduceResponse.PartitionProduceResponse first = produceTxn(client, 11, PID, (short) 0, 0, 2);
        assertThat(Errors.forCode(first.errorCode())).isEqualTo(Errors.NONE);
        assertThat(first.baseOffset()).isZero();
        assertThat(broker.verifier.calls).hasValue(1);
        assertThat(broker.verifier.lastAddPartition)
                .as("verify only before v12")
                .isFalse();
        ProduceResponse.PartitionProduceResponse second = produceTxn(client, 11, PID, (short) 0, 2, 1);
        assertThat(Errors.forCode(second.errorCode())).isEqualTo(Errors.NONE);
        assertThat(broker.verifier.calls)
                .as("the transaction is open: no second question")
                .hasValue(1);
        assertThat(broker.partition("t", 0).lastStableOffset()).isZero();
        // Produce v12 adds the partition (transaction version 2)
        produceTxn(client, 12, OTHER, (short) 0, 0, 1);
        assertThat(broker.verifier.calls).hasValue(2);
        assertThat(broker.verifier.lastAddPartition).isTrue();
    }

    @Test
    void verificationErrorsBecomeThePartitionErrorAsKafkaTranslatesThem() throws Exception {
        Object[][] cases = {
            {Errors.INVALID_TXN_STATE, 11, Errors.INVALID_TXN_STATE, "Partition was not added to the transaction"},
            {Errors.PRODUCER_FENCED, 11, Errors.INVALID_PRODUCER_EPOCH, null},
            {
                Errors.CONCURRENT_TRANSACTIONS,
                11,
                Errors.NOT_ENOUGH_REPLICAS,
                "Unable to verify the partition has been added to the transaction. Underlying error: CONCURRENT_TRANSACTIONS"
            },
            {Errors.CONCURRENT_TRANSACTIONS, 12, Errors.CONCURRENT_TRANSACTIONS, null},
            {
                Errors.NOT_COORDINATOR,
                12,
                Errors.NOT_ENOUGH_REPLICAS,
                "Unable to verify the partition has been added to the transaction. Underlying error: NOT_COORDINATOR"
            },
            {Errors.TRANSACTION_ABORTABLE, 10, Errors.INVALID_TXN_STATE, "Partition was not added to the transaction"},
        };
        for (Object[] c : cases) {
            broker.verifier.answer = (Errors) c[0];
            ProduceResponse.PartitionProduceResponse r = produceTxn(client, (Integer) c[1], PID, (short) 0, 0, 1);
            assertThat(Errors.forCode(r.errorCode())).as(c[0] + " at v" + c[1]).isEqualTo(c[2]);
            assertThat(r.errorMessage()).as(c[0] + " at v" + c[1]).isEqualTo(c[3]);
            assertThat(r.baseOffset()).isEqualTo(-1);
        }
        assertThat(broker.partition("t", 0).log().logEndOffset()).isZero();
    }

    @Test
    void withoutATransactionCoordinatorATransactionalBatchIsInvalidTxnState() throws Exception {
        broker.close();
        broker = new HandlerFixture(dir.resolve("nocoordinator"), Map.of(), false);
        broker.createTopic("t", 1);
        client = broker.connect();
        ProduceResponse.PartitionProduceResponse r = produceTxn(client, 11, PID, (short) 0, 0, 2);
        assertThat(Errors.forCode(r.errorCode())).isEqualTo(Errors.INVALID_TXN_STATE);
        assertThat(broker.partition("t", 0).log().logEndOffset()).isZero();
        // idempotent batches are not affected
        produceOk(client, "t", 0, TestBatches.spec().idempotent(PID, (short) 0, 0));
    }

    @Test
    void aConnectionsLaterProducesAppendAfterItsProduceWaitingForVerification() throws Exception {
        CompletableFuture<Void> gate = new CompletableFuture<>();
        broker.verifier.gate = gate;
        ByteBuf txnBatch = TestBatches.spec()
                .idempotent(PID, (short) 0, 0)
                .transactional()
                .count(3)
                .build();
        ByteBuf plain = TestBatches.spec().count(2).build();
        int first;
        int second;
        try {
            first = client.send(ApiKeys.PRODUCE, 11, txnProduce(txnBatch));
            second = client.send(ApiKeys.PRODUCE, 11, HandlerFixture.produceRequest("t", 0, (short) -1, plain));
        } finally {
            txnBatch.release();
            plain.release();
        }
        assertThat(broker.partition("t", 0).log().logEndOffset())
                .as("nothing appended while verifying")
                .isZero();
        gate.complete(null);
        ProduceResponse a = client.receive(first, ApiKeys.PRODUCE, 11, new ProduceResponse());
        ProduceResponse b = client.receive(second, ApiKeys.PRODUCE, 11, new ProduceResponse());
        assertThat(a.responses().get(0).partitionResponses().get(0).baseOffset())
                .isZero();
        assertThat(b.responses().get(0).partitionResponses().get(0).baseOffset())
                .isEqualTo(3);
    }

    // ---------------------------------------------------------------------------------------------
    // read path

    @Test
    void readCommittedFetchStopsAtTheLastStableOffsetAndListsTheAbortedTransactions() throws Exception {
        abortedThenPlainThenOpen();
        FetchResponse.PartitionData committed = fetch((byte) 1, 0);
        assertThat(Errors.forCode(committed.errorCode())).isEqualTo(Errors.NONE);
        assertThat(committed.highWatermark()).isEqualTo(8);
        assertThat(committed.lastStableOffset()).isEqualTo(6);
        assertThat(baseOffsets(committed)).containsExactly(0L, 3L, 4L);
        assertThat(committed.abortedTransactions()).hasSize(1);
        assertThat(committed.abortedTransactions().get(0).producerId()).isEqualTo(PID);
        assertThat(committed.abortedTransactions().get(0).firstOffset()).isZero();
        // from the last stable offset on there is nothing, and no aborted transaction
        FetchResponse.PartitionData atLso = fetch((byte) 1, 6);
        assertThat(atLso.records().sizeInBytes()).isZero();
        assertThat(atLso.abortedTransactions()).isEmpty();

        FetchResponse.PartitionData uncommitted = fetch((byte) 0, 0);
        assertThat(baseOffsets(uncommitted)).containsExactly(0L, 3L, 4L, 6L);
        assertThat(uncommitted.lastStableOffset()).isEqualTo(6);
        assertThat(uncommitted.abortedTransactions()).isNull();
    }

    @Test
    void aReadCommittedFetchWithAnErrorHasNoAbortedTransactionList() throws Exception {
        abortedThenPlainThenOpen();
        FetchResponse.PartitionData p = fetch((byte) 1, 100);
        assertThat(Errors.forCode(p.errorCode())).isEqualTo(Errors.OFFSET_OUT_OF_RANGE);
        assertThat(p.abortedTransactions()).isNull();
    }

    @Test
    void aParkedReadCommittedFetchWakesWhenTheMarkerMovesTheLastStableOffset() throws Exception {
        assertThat(Errors.forCode(produceTxn(client, 11, PID, (short) 0, 0, 3).errorCode()))
                .isEqualTo(Errors.NONE);
        PipelineServer.Connection consumer = broker.connect();
        FetchRequest request = new FetchRequest()
                .setMaxWaitMs(60_000)
                .setMinBytes(1)
                .setMaxBytes(1 << 20)
                .setIsolationLevel((byte) 1)
                .setTopics(List.of(new FetchRequest.FetchTopic()
                        .setTopic("t")
                        .setPartitions(List.of(new FetchRequest.FetchPartition()
                                .setPartition(0)
                                .setFetchOffset(0)
                                .setPartitionMaxBytes(1 << 20)))));
        int id = consumer.send(ApiKeys.FETCH, 12, request);
        assertThat(writeMarker(PID, (short) 0, 0, true)).isEqualTo(Errors.NONE);
        // answered long before max_wait_ms: receive fails after PipelineServer.WAIT_SECONDS
        FetchResponse r = consumer.receive(id, ApiKeys.FETCH, 12, new FetchResponse());
        FetchResponse.PartitionData p = r.responses().get(0).partitions().get(0);
        assertThat(p.lastStableOffset()).isEqualTo(4);
        assertThat(baseOffsets(p)).containsExactly(0L, 3L);
    }

    @Test
    void listOffsetsLatestUnderReadCommittedIsTheLastStableOffset() throws Exception {
        abortedThenPlainThenOpen();
        assertThat(latest((byte) 1)).isEqualTo(6);
        assertThat(latest((byte) 0)).isEqualTo(8);
    }

    @Test
    void describeProducersShowsTheOpenTransactionsStartOffset() throws Exception {
        abortedThenPlainThenOpen();
        DescribeProducersResponse r = client.call(
                ApiKeys.DESCRIBE_PRODUCERS,
                0,
                new DescribeProducersRequest()
                        .setTopics(List.of(new DescribeProducersRequest.TopicRequest()
                                .setName("t")
                                .setPartitionIndexes(List.of(0)))),
                new DescribeProducersResponse());
        List<DescribeProducersResponse.ProducerState> producers =
                r.topics().get(0).partitions().get(0).activeProducers();
        assertThat(producers).hasSize(2);
        assertThat(producers.get(0).producerId()).isEqualTo(PID);
        assertThat(producers.get(0).currentTxnStartOffset()).isEqualTo(-1);
        assertThat(producers.get(0).coordinatorEpoch()).isEqualTo(1);
        assertThat(producers.get(1).producerId()).isEqualTo(OTHER);
        assertThat(producers.get(1).currentTxnStartOffset()).isEqualTo(6);
    }

    // ---------------------------------------------------------------------------------------------
    // WriteTxnMarkers

    @Test
    void aMarkerForANegativePartitionIsUnknownAndTheConnectionStaysOpen() throws Exception {
        WriteTxnMarkersResponse r = writeMarkers(1, marker(PID, (short) 3, 5, true, "t", -1, 0));
        List<WriteTxnMarkersResponse.WritableTxnMarkerPartitionResult> partitions =
                r.markers().get(0).topics().get(0).partitions();
        assertThat(partitions).hasSize(2);
        assertThat(partitions.get(0).partitionIndex()).isEqualTo(-1);
        assertThat(Errors.forCode(partitions.get(0).errorCode())).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION);
        assertThat(writeMarker(PID, (short) 3, 5, true))
                .as("a later request on the same connection")
                .isNotNull();
    }

    @Test
    void badMarkersGetKafkasErrorsAndLeaveTheLogIntact() throws Exception {
        assertThat(Errors.forCode(produceTxn(client, 11, PID, (short) 3, 0, 2).errorCode()))
                .isEqualTo(Errors.NONE);
        assertThat(writeMarker(PID, (short) 3, 5, false)).isEqualTo(Errors.NONE); // coordinator epoch 5 recorded
        assertThat(Errors.forCode(produceTxn(client, 11, PID, (short) 3, 2, 2).errorCode()))
                .isEqualTo(Errors.NONE);
        long end = broker.partition("t", 0).log().logEndOffset();
        long lso = broker.partition("t", 0).lastStableOffset();

        WriteTxnMarkersResponse unknown =
                writeMarkers(1, marker(PID, (short) 3, 5, true, "t", 7), marker(PID, (short) 3, 5, true, "nope", 0));
        assertThat(unknown.markers()).as("one entry per producer id").hasSize(1);
        assertThat(unknown.markers().get(0).topics()).hasSize(2);
        for (WriteTxnMarkersResponse.WritableTxnMarkerTopicResult t :
                unknown.markers().get(0).topics()) {
            assertThat(Errors.forCode(t.partitions().get(0).errorCode()))
                    .as(t.name())
                    .isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION);
        }
        assertThat(writeMarker(PID, (short) 2, 5, true)).isEqualTo(Errors.INVALID_PRODUCER_EPOCH);
        assertThat(writeMarker(PID, (short) 3, 4, true)).isEqualTo(Errors.TRANSACTION_COORDINATOR_FENCED);
        WriteTxnMarkersResponse tv2 =
                writeMarkers(2, marker(PID, (short) 3, 5, true, "t", 0).setTransactionVersion((byte) 2));
        assertThat(Errors.forCode(
                        tv2.markers().get(0).topics().get(0).partitions().get(0).errorCode()))
                .as("transaction version 2 needs the bumped epoch")
                .isEqualTo(Errors.INVALID_PRODUCER_EPOCH);
        assertThat(broker.partition("t", 0).log().logEndOffset()).isEqualTo(end);
        assertThat(broker.partition("t", 0).lastStableOffset()).isEqualTo(lso);

        WriteTxnMarkersResponse bumped =
                writeMarkers(2, marker(PID, (short) 4, 5, true, "t", 0).setTransactionVersion((byte) 2));
        assertThat(Errors.forCode(bumped.markers()
                        .get(0)
                        .topics()
                        .get(0)
                        .partitions()
                        .get(0)
                        .errorCode()))
                .isEqualTo(Errors.NONE);
        assertThat(broker.partition("t", 0).lastStableOffset()).isEqualTo(end + 1);
    }

    @Test
    void groupCoordinatorNotReadyErrorsAreAnsweredNotLeaderOrFollower() {
        assertThat(TxnMarkerWriter.fromGroupCoordinator(Errors.COORDINATOR_NOT_AVAILABLE))
                .isEqualTo(Errors.NOT_LEADER_OR_FOLLOWER);
        assertThat(TxnMarkerWriter.fromGroupCoordinator(Errors.NOT_COORDINATOR))
                .isEqualTo(Errors.NOT_LEADER_OR_FOLLOWER);
        assertThat(TxnMarkerWriter.fromGroupCoordinator(Errors.COORDINATOR_LOAD_IN_PROGRESS))
                .isEqualTo(Errors.NOT_LEADER_OR_FOLLOWER);
        assertThat(TxnMarkerWriter.fromGroupCoordinator(Errors.INVALID_PRODUCER_EPOCH))
                .isEqualTo(Errors.INVALID_PRODUCER_EPOCH);
    }
}
