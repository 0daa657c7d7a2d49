package io.skiff.broker.handler;

import static org.assertj.core.api.Assertions.assertThat;

import io.skiff.broker.metadata.TopicImage;
import io.skiff.broker.network.PipelineServer;
import io.skiff.coordinator.transaction.TransactionCoordinator;
import io.skiff.coordinator.transaction.TxnTopicPartition;
import io.skiff.wire.message.AddOffsetsToTxnRequest;
import io.skiff.wire.message.AddOffsetsToTxnResponse;
import io.skiff.wire.message.AddPartitionsToTxnRequest;
import io.skiff.wire.message.AddPartitionsToTxnResponse;
import io.skiff.wire.message.DescribeTransactionsRequest;
import io.skiff.wire.message.DescribeTransactionsResponse;
import io.skiff.wire.message.EndTxnRequest;
import io.skiff.wire.message.EndTxnResponse;
import io.skiff.wire.message.FindCoordinatorRequest;
import io.skiff.wire.message.FindCoordinatorResponse;
import io.skiff.wire.message.InitProducerIdRequest;
import io.skiff.wire.message.InitProducerIdResponse;
import io.skiff.wire.message.ListTransactionsRequest;
import io.skiff.wire.message.ListTransactionsResponse;
import io.skiff.wire.protocol.ApiKeys;
import io.skiff.wire.protocol.Errors;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The transaction APIs through the real pipeline, with Kafka 4.3.1's answers to good and bad input. */
@Timeout(60)
class TransactionHandlersTest {
    @TempDir
    Path dir;

    private TransactionFixture broker;
    private PipelineServer.Connection c;

    @BeforeEach
    void start() throws Exception {
        broker = new TransactionFixture(dir, Map.of());
        c = broker.connect();
    }

    @AfterEach
    void stop() throws Exception {
        broker.close();
    }

    private static InitProducerIdRequest init(String transactionalId) {
        return new InitProducerIdRequest()
                .setTransactionalId(transactionalId)
                .setTransactionTimeoutMs(60_000)
                .setProducerId(-1)
                .setProducerEpoch((short) -1);
    }

    /** Creates {@code __transaction_state} and waits until every shard has loaded. */
    private void awaitCoordinatorLoaded() throws Exception {
        assertThat(broker.transactions.ensureTransactionStateTopic().get(PipelineServer.WAIT_SECONDS, TimeUnit.SECONDS))
                .isEqualTo(Errors.NONE);
        TransactionCoordinator coordinator = broker.transactions.coordinator();
        for (int p = 0; p < 3; p++) {
            coordinator.shard(p).loadFuture().get(PipelineServer.WAIT_SECONDS, TimeUnit.SECONDS);
        }
    }

    /** InitProducerId once the coordinator has loaded. */
    private InitProducerIdResponse initLoaded(String transactionalId, int version) throws Exception {
        awaitCoordinatorLoaded();
        return c.call(ApiKeys.INIT_PRODUCER_ID, version, init(transactionalId), new InitProducerIdResponse());
    }

    private static AddPartitionsToTxnRequest addV3(
            String transactionalId, InitProducerIdResponse p, String topic, Integer... partitions) {
        return new AddPartitionsToTxnRequest()
                .setV3AndBelowTransactionalId(transactionalId)
                .setV3AndBelowProducerId(p.producerId())
                .setV3AndBelowProducerEpoch(p.producerEpoch())
                .setV3AndBelowTopics(List.of(new AddPartitionsToTxnRequest.AddPartitionsToTxnTopic()
                        .setName(topic)
                        .setPartitions(List.of(partitions))));
    }

    private static List<String> errors(List<AddPartitionsToTxnResponse.AddPartitionsToTxnTopicResult> topics) {
        List<String> out = new ArrayList<>();
        for (AddPartitionsToTxnResponse.AddPartitionsToTxnTopicResult t : topics) {
            for (AddPartitionsToTxnResponse.AddPartitionsToTxnPartitionResult p : t.resultsByPartition()) {
                out.add(t.name() + "-" + p.partitionIndex() + ":" + Errors.forCode(p.partitionErrorCode()));
            }
        }
        return out;
    }

    private DescribeTransactionsResponse.TransactionState describe(String transactionalId) throws Exception {
        DescribeTransactionsResponse r = c.call(
                ApiKeys.DESCRIBE_TRANSACTIONS,
                0,
                new DescribeTransactionsRequest().setTransactionalIds(List.of(transactionalId)),
                new DescribeTransactionsResponse());
        return r.transactionStates().get(0);
    }

    @Test
    void findCoordinatorForATransactionalIdCreatesTheTransactionStateTopicAsKafkaDoes() throws Exception {
        FindCoordinatorResponse r = c.call(
                ApiKeys.FIND_COORDINATOR,
                4,
                new FindCoordinatorRequest().setKeyType((byte) 1).setCoordinatorKeys(List.of("txn")),
                new FindCoordinatorResponse());
        FindCoordinatorResponse.Coordinator coordinator = r.coordinators().get(0);
        assertThat(Errors.forCode(coordinator.errorCode())).isEqualTo(Errors.NONE);
        assertThat(coordinator.host()).isEqualTo(HandlerFixture.HOST);
        TopicImage topic = broker.metadata.image().topic(TransactionCoordinator.TRANSACTION_STATE_TOPIC);
        assertThat(topic.partitions()).isEqualTo(3);
        assertThat(topic.configs())
                .containsEntry("cleanup.policy", "compact")
                .containsEntry("compression.type", "uncompressed")
                .containsEntry("unclean.leader.election.enable", "false")
                .containsEntry("min.insync.replicas", "1")
                .containsEntry("segment.bytes", "104857600");
    }

    @Test
    void initProducerIdWithATransactionalIdGetsAnIdThenBumpsItsEpoch() throws Exception {
        InitProducerIdResponse first = initLoaded("txn", 4);
        assertThat(Errors.forCode(first.errorCode())).isEqualTo(Errors.NONE);
        assertThat(first.producerEpoch()).isZero();
        InitProducerIdResponse second = c.call(ApiKeys.INIT_PRODUCER_ID, 4, init("txn"), new InitProducerIdResponse());
        assertThat(second.producerId()).isEqualTo(first.producerId());
        assertThat(second.producerEpoch()).isEqualTo((short) 1);
        // A producer id without an epoch is invalid; a stale epoch is fenced (INVALID_PRODUCER_EPOCH before v4).
        InitProducerIdResponse half = c.call(
                ApiKeys.INIT_PRODUCER_ID,
                4,
                init("txn").setProducerId(first.producerId()),
                new InitProducerIdResponse());
        assertThat(Errors.forCode(half.errorCode())).isEqualTo(Errors.INVALID_REQUEST);
        InitProducerIdRequest stale =
                init("txn").setProducerId(first.producerId()).setProducerEpoch((short) 9);
        assertThat(Errors.forCode(c.call(ApiKeys.INIT_PRODUCER_ID, 4, stale, new InitProducerIdResponse())
                        .errorCode()))
                .isEqualTo(Errors.PRODUCER_FENCED);
        assertThat(Errors.forCode(c.call(ApiKeys.INIT_PRODUCER_ID, 3, stale, new InitProducerIdResponse())
                        .errorCode()))
                .isEqualTo(Errors.INVALID_PRODUCER_EPOCH);
        InitProducerIdResponse tooLong = c.call(
                ApiKeys.INIT_PRODUCER_ID,
                4,
                init("txn").setTransactionTimeoutMs(900_001),
                new InitProducerIdResponse());
        assertThat(Errors.forCode(tooLong.errorCode())).isEqualTo(Errors.INVALID_TRANSACTION_TIMEOUT);
        assertThat(describe("txn").producerEpoch()).isEqualTo((short) 1);
    }

    @Test
    void addPartitionsToTxnOfUnknownOrInternalTopicsFailsTheWholeTransactionAndChangesNothing() throws Exception {
        broker.createTopic("t", 2);
        InitProducerIdResponse p = initLoaded("txn", 4);
        AddPartitionsToTxnResponse unknown = c.call(
                ApiKeys.ADD_PARTITIONS_TO_TXN,
                3,
                addV3("txn", p, "t", 0, 5)
                        .setV3AndBelowTopics(List.of(
                                new AddPartitionsToTxnRequest.AddPartitionsToTxnTopic()
                                        .setName("t")
                                        .setPartitions(List.of(0, 5)),
                                new AddPartitionsToTxnRequest.AddPartitionsToTxnTopic()
                                        .setName("nope")
                                        .setPartitions(List.of(0)))),
                new AddPartitionsToTxnResponse());
        assertThat(errors(unknown.resultsByTopicV3AndBelow()))
                .containsExactly(
                        "t-0:OPERATION_NOT_ATTEMPTED",
                        "t-5:UNKNOWN_TOPIC_OR_PARTITION",
                        "nope-0:UNKNOWN_TOPIC_OR_PARTITION");
        AddPartitionsToTxnResponse internal = c.call(
                ApiKeys.ADD_PARTITIONS_TO_TXN,
                3,
                addV3("txn", p, TransactionCoordinator.TRANSACTION_STATE_TOPIC, 0),
                new AddPartitionsToTxnResponse());
        assertThat(errors(internal.resultsByTopicV3AndBelow()))
                .containsExactly("__transaction_state-0:TOPIC_AUTHORIZATION_FAILED");
        assertThat(describe("txn").transactionState()).isEqualTo("Empty");
        AddPartitionsToTxnResponse ok =
                c.call(ApiKeys.ADD_PARTITIONS_TO_TXN, 3, addV3("txn", p, "t", 0, 1), new AddPartitionsToTxnResponse());
        assertThat(errors(ok.resultsByTopicV3AndBelow())).containsExactly("t-0:NONE", "t-1:NONE");
        DescribeTransactionsResponse.TransactionState d = describe("txn");
        assertThat(d.transactionState()).isEqualTo("Ongoing");
        assertThat(d.topics().get(0).partitions()).containsExactly(0, 1);
        // A wrong epoch: PRODUCER_FENCED from v2, INVALID_PRODUCER_EPOCH before.
        InitProducerIdResponse wrong = new InitProducerIdResponse()
                .setProducerId(p.producerId())
                .setProducerEpoch((short) (p.producerEpoch() + 3));
        assertThat(errors(c.call(
                                ApiKeys.ADD_PARTITIONS_TO_TXN,
                                2,
                                addV3("txn", wrong, "t", 0),
                                new AddPartitionsToTxnResponse())
                        .resultsByTopicV3AndBelow()))
                .containsExactly("t-0:PRODUCER_FENCED");
        assertThat(errors(c.call(
                                ApiKeys.ADD_PARTITIONS_TO_TXN,
                                1,
                                addV3("txn", wrong, "t", 0),
                                new AddPartitionsToTxnResponse())
                        .resultsByTopicV3AndBelow()))
                .containsExactly("t-0:INVALID_PRODUCER_EPOCH");
    }

    @Test
    void brokerBatchFormVerifiesOrAddsPerTransaction() throws Exception {
        broker.createTopic("t", 2);
        InitProducerIdResponse p = initLoaded("txn", 4);
        c.call(ApiKeys.ADD_PARTITIONS_TO_TXN, 3, addV3("txn", p, "t", 0), new AddPartitionsToTxnResponse());
        AddPartitionsToTxnRequest batch = new AddPartitionsToTxnRequest()
                .setTransactions(List.of(
                        new AddPartitionsToTxnRequest.AddPartitionsToTxnTransaction()
                                .setTransactionalId("txn")
                                .setProducerId(p.producerId())
                                .setProducerEpoch(p.producerEpoch())
                                .setVerifyOnly(true)
                                .setTopics(List.of(new AddPartitionsToTxnRequest.AddPartitionsToTxnTopic()
                                        .setName("t")
                                        .setPartitions(List.of(0, 1)))),
                        new AddPartitionsToTxnRequest.AddPartitionsToTxnTransaction()
                                .setTransactionalId("unknown")
                                .setProducerId(77)
                                .setProducerEpoch((short) 0)
                                .setVerifyOnly(false)
                                .setTopics(List.of(new AddPartitionsToTxnRequest.AddPartitionsToTxnTopic()
                                        .setName("t")
                                        .setPartitions(List.of(1))))));
        AddPartitionsToTxnResponse r =
                c.call(ApiKeys.ADD_PARTITIONS_TO_TXN, 5, batch, new AddPartitionsToTxnResponse());
        assertThat(Errors.forCode(r.errorCode())).isEqualTo(Errors.NONE);
        assertThat(r.resultsByTransaction()).hasSize(2);
        assertThat(r.resultsByTransaction().get(0).transactionalId()).isEqualTo("txn");
        assertThat(errors(r.resultsByTransaction().get(0).topicResults()))
                .containsExactly("t-0:NONE", "t-1:TRANSACTION_ABORTABLE");
        assertThat(errors(r.resultsByTransaction().get(1).topicResults()))
                .containsExactly("t-1:INVALID_PRODUCER_ID_MAPPING");
    }

    @Test
    void addOffsetsToTxnAddsTheGroupsOffsetsPartition() throws Exception {
        InitProducerIdResponse p = initLoaded("txn", 4);
        AddOffsetsToTxnResponse r = c.call(
                ApiKeys.ADD_OFFSETS_TO_TXN,
                3,
                new AddOffsetsToTxnRequest()
                        .setTransactionalId("txn")
                        .setProducerId(p.producerId())
                        .setProducerEpoch(p.producerEpoch())
                        .setGroupId("group"),
                new AddOffsetsToTxnResponse());
        assertThat(Errors.forCode(r.errorCode())).isEqualTo(Errors.NONE);
        DescribeTransactionsResponse.TransactionState d = describe("txn");
        assertThat(d.topics()).hasSize(1);
        assertThat(d.topics().get(0).topic()).isEqualTo("__consumer_offsets");
        assertThat(d.topics().get(0).partitions()).containsExactly(Math.abs("group".hashCode()) % 3);
    }

    @Test
    void endTxnCommitsWritesMarkersAndAnswersBadInputAsKafka() throws Exception {
        broker.createTopic("t", 1);
        InitProducerIdResponse p = initLoaded("txn", 4);
        EndTxnRequest commit = new EndTxnRequest()
                .setTransactionalId("txn")
                .setProducerId(p.producerId())
                .setProducerEpoch(p.producerEpoch())
                .setCommitted(true);
        // No transaction: INVALID_TXN_STATE; unknown id: INVALID_PRODUCER_ID_MAPPING; wrong epoch: fenced.
        assertThat(Errors.forCode(
                        c.call(ApiKeys.END_TXN, 3, commit, new EndTxnResponse()).errorCode()))
                .isEqualTo(Errors.INVALID_TXN_STATE);
        EndTxnRequest unknown = new EndTxnRequest()
                .setTransactionalId("nope")
                .setProducerId(p.producerId())
                .setProducerEpoch(p.producerEpoch())
                .setCommitted(true);
        assertThat(Errors.forCode(c.call(ApiKeys.END_TXN, 3, unknown, new EndTxnResponse())
                        .errorCode()))
                .isEqualTo(Errors.INVALID_PRODUCER_ID_MAPPING);
        EndTxnRequest stale = new EndTxnRequest()
                .setTransactionalId("txn")
                .setProducerId(p.producerId())
                .setProducerEpoch((short) 4)
                .setCommitted(true);
        assertThat(Errors.forCode(
                        c.call(ApiKeys.END_TXN, 1, stale, new EndTxnResponse()).errorCode()))
                .isEqualTo(Errors.INVALID_PRODUCER_EPOCH);
        assertThat(Errors.forCode(
                        c.call(ApiKeys.END_TXN, 2, stale, new EndTxnResponse()).errorCode()))
                .isEqualTo(Errors.PRODUCER_FENCED);
        c.call(ApiKeys.ADD_PARTITIONS_TO_TXN, 3, addV3("txn", p, "t", 0), new AddPartitionsToTxnResponse());
        EndTxnResponse done = c.call(ApiKeys.END_TXN, 5, commit, new EndTxnResponse());
        assertThat(Errors.forCode(done.errorCode())).isEqualTo(Errors.NONE);
        assertThat(done.producerId()).isEqualTo(p.producerId());
        assertThat(done.producerEpoch()).isEqualTo((short) (p.producerEpoch() + 1));
        assertThat(broker.markers)
                .containsExactly(new TransactionFixture.MarkerWrite(
                        p.producerId(), (short) (p.producerEpoch() + 1), true, List.of(new TxnTopicPartition("t", 0))));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(PipelineServer.WAIT_SECONDS);
        // The markers were written at once: the completion follows on the shard's thread.
        while (!describe("txn").transactionState().equals("CompleteCommit") && System.nanoTime() < deadline) {
            broker.transactions.coordinator().describeTransaction("txn").get(1, TimeUnit.SECONDS);
        }
        assertThat(describe("txn").transactionState()).isEqualTo("CompleteCommit");
    }

    @Test
    void listAndDescribeTransactions() throws Exception {
        broker.createTopic("t", 1);
        InitProducerIdResponse p = initLoaded("a-txn", 4);
        initLoaded("b-txn", 4);
        c.call(ApiKeys.ADD_PARTITIONS_TO_TXN, 3, addV3("a-txn", p, "t", 0), new AddPartitionsToTxnResponse());
        ListTransactionsResponse all =
                c.call(ApiKeys.LIST_TRANSACTIONS, 1, new ListTransactionsRequest(), new ListTransactionsResponse());
        assertThat(Errors.forCode(all.errorCode())).isEqualTo(Errors.NONE);
        assertThat(all.transactionStates())
                .extracting(s -> s.transactionalId() + ":" + s.transactionState())
                .containsExactlyInAnyOrder("a-txn:Ongoing", "b-txn:Empty");
        ListTransactionsResponse ongoing = c.call(
                ApiKeys.LIST_TRANSACTIONS,
                2,
                new ListTransactionsRequest()
                        .setStateFilters(List.of("Ongoing"))
                        .setTransactionalIdPattern("a-.*"),
                new ListTransactionsResponse());
        assertThat(ongoing.transactionStates())
                .extracting(ListTransactionsResponse.TransactionState::transactionalId)
                .containsExactly("a-txn");
        DescribeTransactionsResponse.TransactionState d = describe("a-txn");
        assertThat(d.producerId()).isEqualTo(p.producerId());
        assertThat(d.transactionTimeoutMs()).isEqualTo(60_000);
        assertThat(Errors.forCode(describe("missing").errorCode())).isEqualTo(Errors.TRANSACTIONAL_ID_NOT_FOUND);
    }
}
