package io.skiff.broker.handler;

import static org.assertj.core.api.Assertions.assertThat;

import io.skiff.broker.network.ApiDispatcher;
import io.skiff.broker.network.PipelineServer;
import io.skiff.broker.security.authz.Authorizer;
import io.skiff.coordinator.group.GroupCoordinator;
import io.skiff.coordinator.group.GroupCoordinatorConfig;
import io.skiff.coordinator.group.SimpleTopicsView;
import io.skiff.coordinator.runtime.InMemoryCoordinatorLog;
import io.skiff.coordinator.runtime.ManualTimer;
import io.skiff.wire.message.OffsetFetchRequest;
import io.skiff.wire.message.OffsetFetchResponse;
import io.skiff.wire.message.TxnOffsetCommitRequest;
import io.skiff.wire.message.TxnOffsetCommitResponse;
import io.skiff.wire.protocol.ApiKeys;
import io.skiff.wire.protocol.Errors;
import io.skiff.wire.util.ManualClock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * TxnOffsetCommitHandler and OffsetFetchHandler's {@code require_stable} through the request
 * pipeline, over a real group coordinator (its own shard threads, one {@code __consumer_offsets}
 * partition in memory) whose topic {@code t} has 3 partitions: offsets committed in a transaction
 * are pending, answered UNSTABLE_OFFSET_COMMIT to a stable fetch, until the commit marker.
 */
@Timeout(30)
class TxnOffsetCommitHandlerTest {
    private static final long PID = 7000L;
    private static final short EPOCH = 2;

    private final ManualClock clock = new ManualClock(1_000_000L);
    private final SimpleTopicsView topics = new SimpleTopicsView();
    private final InMemoryCoordinatorLog log = new InMemoryCoordinatorLog();
    private GroupCoordinator coordinator;
    private PipelineServer server;
    private PipelineServer.Connection client;
    /** What the transaction coordinator answers, and what it was asked (partition and add flag). */
    private volatile Errors verification = Errors.NONE;

    private final List<String> verified = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        topics.put("t", 3);
        coordinator = new GroupCoordinator(
                GroupCoordinatorConfig.builder().offsetsTopicPartitions(1).build(),
                topics,
                clock,
                new ManualTimer(clock),
                null);
        coordinator.onElection(0, 0, log).get(10, TimeUnit.SECONDS);
        ApiDispatcher dispatcher = new ApiDispatcher(false)
                .register(new TxnOffsetCommitHandler(
                        coordinator,
                        (transactionalId, producerId, producerEpoch, partition, add) -> {
                            verified.add(transactionalId + "/" + producerId + "/" + producerEpoch + " " + partition
                                    + (add ? " add" : " check"));
                            return CompletableFuture.completedFuture(verification);
                        },
                        true,
                        Authorizer.ALLOW_ALL))
                .register(new OffsetFetchHandler(coordinator, Authorizer.ALLOW_ALL));
        server = new PipelineServer(dispatcher);
        client = server.connect();
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
        coordinator.close();
    }

    private static TxnOffsetCommitRequest commit(String topic, int partition, long offset) {
        return new TxnOffsetCommitRequest()
                .setTransactionalId("tx")
                .setGroupId("g")
                .setProducerId(PID)
                .setProducerEpoch(EPOCH)
                .setTopics(new ArrayList<>(List.of(new TxnOffsetCommitRequest.TxnOffsetCommitRequestTopic()
                        .setName(topic)
                        .setPartitions(
                                new ArrayList<>(List.of(new TxnOffsetCommitRequest.TxnOffsetCommitRequestPartition()
                                        .setPartitionIndex(partition)
                                        .setCommittedOffset(offset)
                                        .setCommittedMetadata("meta")))))));
    }

    private TxnOffsetCommitResponse txnCommit(int version, TxnOffsetCommitRequest request) throws Exception {
        return client.call(ApiKeys.TXN_OFFSET_COMMIT, version, request, new TxnOffsetCommitResponse());
    }

    /** OffsetFetch v7 (one group) of {@code t}-{@code partition}. */
    private OffsetFetchResponse.OffsetFetchResponsePartition fetch(int partition, boolean requireStable)
            throws Exception {
        OffsetFetchRequest request = new OffsetFetchRequest()
                .setGroupId("g")
                .setRequireStable(requireStable)
                .setTopics(new ArrayList<>(List.of(new OffsetFetchRequest.OffsetFetchRequestTopic()
                        .setName("t")
                        .setPartitionIndexes(new ArrayList<>(List.of(partition))))));
        OffsetFetchResponse r = client.call(ApiKeys.OFFSET_FETCH, 7, request, new OffsetFetchResponse());
        assertThat(r.errorCode()).isEqualTo(Errors.NONE.code);
        return r.topics().get(0).partitions().get(0);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 2, 3, 5})
    void committedOffsetsArePendingUntilTheCommitMarkerAtEveryVersion(int version) throws Exception {
        TxnOffsetCommitResponse r = txnCommit(version, commit("t", 1, 42));
        assertThat(r.topics()).hasSize(1);
        assertThat(r.topics().get(0).name()).isEqualTo("t");
        assertThat(r.topics().get(0).partitions().get(0).partitionIndex()).isEqualTo(1);
        assertThat(r.topics().get(0).partitions().get(0).errorCode()).isEqualTo(Errors.NONE.code);

        OffsetFetchResponse.OffsetFetchResponsePartition stable = fetch(1, true);
        assertThat(stable.errorCode()).isEqualTo(Errors.UNSTABLE_OFFSET_COMMIT.code);
        assertThat(stable.committedOffset()).isEqualTo(-1L);
        assertThat(fetch(1, false).committedOffset()).isEqualTo(-1L);
        assertThat(fetch(0, true).errorCode()).isEqualTo(Errors.NONE.code);

        assertThat(coordinator.completeTransaction(0, PID, EPOCH, 0, true).get(10, TimeUnit.SECONDS))
                .isEqualTo(Errors.NONE);
        OffsetFetchResponse.OffsetFetchResponsePartition committed = fetch(1, true);
        assertThat(committed.errorCode()).isEqualTo(Errors.NONE.code);
        assertThat(committed.committedOffset()).isEqualTo(42L);
        assertThat(committed.metadata()).isEqualTo("meta");
    }

    @Test
    void abortedOffsetsNeverBecomeVisible() throws Exception {
        txnCommit(5, commit("t", 0, 9));
        assertThat(coordinator.completeTransaction(0, PID, EPOCH, 0, false).get(10, TimeUnit.SECONDS))
                .isEqualTo(Errors.NONE);
        OffsetFetchResponse.OffsetFetchResponsePartition p = fetch(0, true);
        assertThat(p.errorCode()).isEqualTo(Errors.NONE.code);
        assertThat(p.committedOffset()).isEqualTo(-1L);
    }

    @Test
    void unknownTopicsAndGroupFencingAreAnsweredPerPartition() throws Exception {
        TxnOffsetCommitResponse unknown = txnCommit(5, commit("missing", 0, 1));
        assertThat(unknown.topics().get(0).partitions().get(0).errorCode())
                .isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION.code);
        TxnOffsetCommitResponse fenced =
                txnCommit(5, commit("t", 0, 1).setMemberId("m").setGenerationId(4));
        assertThat(fenced.topics().get(0).partitions().get(0).errorCode()).isEqualTo(Errors.ILLEGAL_GENERATION.code);
        assertThat(log.size()).isZero();
    }

    @Test
    void versionFiveAddsTheGroupsOffsetsPartitionToTheTransactionAndOlderVersionsOnlyCheckIt() throws Exception {
        txnCommit(5, commit("t", 0, 1));
        txnCommit(3, commit("t", 1, 2));
        String offsets = new io.skiff.storage.TopicPartition(
                        GroupCoordinator.OFFSETS_TOPIC, coordinator.partitionFor("g"))
                .toString();
        assertThat(verified).containsExactly("tx/7000/2 " + offsets + " add", "tx/7000/2 " + offsets + " check");
    }

    @ParameterizedTest
    @ValueSource(strings = {"PRODUCER_FENCED", "INVALID_TXN_STATE", "CONCURRENT_TRANSACTIONS"})
    void aRefusedVerificationIsEveryPartitionsAnswerAndWritesNothing(String error) throws Exception {
        verification = Errors.valueOf(error);
        TxnOffsetCommitResponse r = txnCommit(5, commit("t", 2, 5));
        assertThat(r.topics().get(0).partitions().get(0).errorCode()).isEqualTo(verification.code);
        assertThat(log.size()).isZero();
        assertThat(fetch(2, true).errorCode()).isEqualTo(Errors.NONE.code);
    }

    @Test
    void partitionErrorsOfTheVerificationAreAnsweredAsCoordinatorErrors() throws Exception {
        verification = Errors.NOT_LEADER_OR_FOLLOWER;
        assertThat(txnCommit(5, commit("t", 0, 1))
                        .topics()
                        .get(0)
                        .partitions()
                        .get(0)
                        .errorCode())
                .isEqualTo(Errors.NOT_COORDINATOR.code);
        verification = Errors.UNKNOWN_TOPIC_OR_PARTITION;
        assertThat(txnCommit(4, commit("t", 0, 1))
                        .topics()
                        .get(0)
                        .partitions()
                        .get(0)
                        .errorCode())
                .isEqualTo(Errors.COORDINATOR_NOT_AVAILABLE.code);
    }
}
