package io.skiff.broker.coordinator;

import io.skiff.broker.admin.TopicAdmin;
import io.skiff.broker.config.BrokerConfig;
import io.skiff.broker.metadata.MetadataImage;
import io.skiff.broker.metadata.MetadataManager;
import io.skiff.broker.metadata.MetadataRecord;
import io.skiff.broker.partition.PartitionManager;
import io.skiff.coordinator.runtime.SystemCoordinatorTimer;
import io.skiff.coordinator.transaction.ProducerIdSource;
import io.skiff.coordinator.transaction.TransactionCoordinator;
import io.skiff.coordinator.transaction.TransactionCoordinatorConfig;
import io.skiff.coordinator.transaction.TransactionMarkerChannel;
import io.skiff.coordinator.transaction.TransactionVersion;
import io.skiff.coordinator.transaction.TxnTopicPartition;
import io.skiff.storage.TopicPartition;
import io.skiff.wire.protocol.Errors;
import io.skiff.wire.util.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The transaction coordinator in the broker: the coordinator module's {@link TransactionCoordinator},
 * configured from the broker's properties, taking producer ids from the broker's producer id manager
 * and writing markers through the {@link TransactionMarkerChannel} it is given, hosted on
 * {@code __transaction_state} by a {@link CoordinatorHost} (which creates the topic on first use and
 * loads a shard per partition). Also the produce path's check of a transactional batch
 * ({@link #verify}). Thread-safe: metadata changes arrive on the metadata thread, requests from any
 * thread.
 */
public final class TransactionCoordinatorService
        implements MetadataManager.Listener, TransactionVerifier, AutoCloseable {
    private final SystemCoordinatorTimer timer = new SystemCoordinatorTimer();
    private final CoordinatorHost<TransactionCoordinator> host;

    public TransactionCoordinatorService(
            BrokerConfig config,
            MetadataManager metadata,
            TopicAdmin admin,
            PartitionManager partitions,
            boolean fsync,
            ProducerIdSource producerIds,
            TransactionMarkerChannel markers) {
        Map<String, String> props = new LinkedHashMap<>(config.originals());
        props.put(
                TransactionCoordinatorConfig.TRANSACTION_STATE_LOG_NUM_PARTITIONS,
                Integer.toString(config.getInt(TransactionCoordinatorConfig.TRANSACTION_STATE_LOG_NUM_PARTITIONS)));
        props.put(
                TransactionCoordinatorConfig.TRANSACTION_MAX_TIMEOUT_MS,
                Integer.toString(config.getInt(TransactionCoordinatorConfig.TRANSACTION_MAX_TIMEOUT_MS)));
        props.put(
                TransactionCoordinatorConfig.TRANSACTIONAL_ID_EXPIRATION_MS,
                Integer.toString(config.getInt(TransactionCoordinatorConfig.TRANSACTIONAL_ID_EXPIRATION_MS)));
        props.put(
                TransactionCoordinatorConfig.ABORT_TIMED_OUT_TRANSACTIONS_INTERVAL_MS,
                Integer.toString(config.getInt(TransactionCoordinatorConfig.ABORT_TIMED_OUT_TRANSACTIONS_INTERVAL_MS)));
        props.put(
                TransactionCoordinatorConfig.REMOVE_EXPIRED_TRANSACTIONAL_IDS_INTERVAL_MS,
                Integer.toString(
                        config.getInt(TransactionCoordinatorConfig.REMOVE_EXPIRED_TRANSACTIONAL_IDS_INTERVAL_MS)));
        props.put(TransactionCoordinatorConfig.MESSAGE_MAX_BYTES, Integer.toString(config.messageMaxBytes()));
        TransactionCoordinatorConfig txnConfig = TransactionCoordinatorConfig.fromProperties(props);
        this.host = new CoordinatorHost<>(
                transactionStateTopic(config),
                () -> new TransactionCoordinator(txnConfig, producerIds, markers, Clock.SYSTEM, timer, null),
                metadata,
                admin,
                partitions,
                fsync,
                System::currentTimeMillis);
    }

    /**
     * {@code __transaction_state} as Kafka creates it: compacted, uncompressed, no unclean leader
     * election, {@code transaction.state.log.segment.bytes}, and {@code transaction.state.log.min.isr}
     * as {@code min.insync.replicas}, capped at the one replica a single node has.
     */
    static InternalTopic transactionStateTopic(BrokerConfig config) {
        Map<String, String> configs = new LinkedHashMap<>();
        configs.put("unclean.leader.election.enable", "false");
        configs.put("compression.type", "uncompressed");
        configs.put("cleanup.policy", "compact");
        configs.put(
                "min.insync.replicas", Integer.toString(Math.min(1, config.getInt("transaction.state.log.min.isr"))));
        configs.put("segment.bytes", Integer.toString(config.getInt("transaction.state.log.segment.bytes")));
        int partitions = config.getInt(TransactionCoordinatorConfig.TRANSACTION_STATE_LOG_NUM_PARTITIONS);
        return new InternalTopic(TransactionCoordinator.TRANSACTION_STATE_TOPIC, partitions, configs);
    }

    public TransactionCoordinator coordinator() {
        return host.coordinator();
    }

    public CoordinatorHost<TransactionCoordinator> host() {
        return host;
    }

    /** Creates {@code __transaction_state} if it does not exist yet; completes with the outcome. */
    public CompletableFuture<Errors> ensureTransactionStateTopic() {
        return host.ensureTopic();
    }

    /** Whether this node coordinates the partition of {@code transactionalId} (the topic exists). */
    public boolean coordinates(String transactionalId) {
        return host.coordinates(transactionalId);
    }

    /**
     * The produce path's check of a transactional batch of {@code producerId} in
     * {@code producerEpoch} for {@code partition}: NONE if the ongoing transaction of
     * {@code transactionalId} includes the partition. With {@code addPartition} (transaction version
     * 2, KIP-890) the partition is added as AddPartitionsToTxn would add it, and the answer is that
     * call's; without, a partition not in the transaction is TRANSACTION_ABORTABLE, and the errors of
     * the producer (INVALID_PRODUCER_ID_MAPPING, PRODUCER_FENCED, CONCURRENT_TRANSACTIONS,
     * NOT_COORDINATOR, ...) are AddPartitionsToTxn's.
     */
    @Override
    public CompletableFuture<Errors> verify(
            String transactionalId,
            long producerId,
            short producerEpoch,
            TopicPartition partition,
            boolean addPartition) {
        TxnTopicPartition tp = new TxnTopicPartition(partition.topic(), partition.partition());
        TransactionCoordinator coordinator = host.coordinator();
        if (addPartition) {
            return coordinator.addPartitions(
                    transactionalId, producerId, producerEpoch, List.of(tp), TransactionVersion.TV_2);
        }
        return coordinator
                .verifyPartitions(transactionalId, producerId, producerEpoch, List.of(tp))
                .thenApply(errors -> errors.getOrDefault(tp, Errors.UNKNOWN_SERVER_ERROR));
    }

    @Override
    public void onLoad(MetadataImage image) {
        host.onLoad(image);
    }

    @Override
    public void onChange(MetadataImage previous, MetadataImage next, List<MetadataRecord> records) {
        host.onChange(previous, next, records);
    }

    @Override
    public void close() {
        host.close();
        timer.close();
    }
}
