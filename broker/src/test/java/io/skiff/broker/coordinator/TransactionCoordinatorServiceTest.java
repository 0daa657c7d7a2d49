package io.skiff.broker.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import io.skiff.broker.admin.TopicAdmin;
import io.skiff.broker.config.BrokerConfig;
import io.skiff.broker.metadata.MetadataManager;
import io.skiff.broker.partition.PartitionManager;
import io.skiff.coordinator.runtime.CoordinatorShard;
import io.skiff.coordinator.transaction.TransactionCoordinator;
import io.skiff.coordinator.transaction.TransactionVersion;
import io.skiff.coordinator.transaction.TxnResult;
import io.skiff.coordinator.transaction.TxnTopicPartition;
import io.skiff.storage.LogManager;
import io.skiff.storage.LogManagerConfig;
import io.skiff.storage.TopicPartition;
import io.skiff.wire.protocol.Errors;
import io.skiff.wire.util.Clock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The transaction coordinator hosted on {@code __transaction_state} over real metadata and partition logs. */
@Timeout(60)
class TransactionCoordinatorServiceTest {
    @TempDir
    Path dir;

    private BrokerConfig config;
    private MetadataManager metadata;
    private LogManager logs;
    private PartitionManager replicas;
    private TopicAdmin admin;
    private final AtomicLong producerIds = new AtomicLong(5000);
    private final List<TransactionCoordinatorService> services = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        Path logDir = Files.createDirectories(dir.resolve("logs"));
        config = new BrokerConfig(Map.of("log.dirs", logDir.toString(), "transaction.state.log.num.partitions", "2"));
        metadata = MetadataManager.open(Files.createDirectories(dir.resolve("metadata")));
        logs = LogManager.start(
                LogManagerConfig.builder(List.of(logDir.toFile())).build(), Clock.SYSTEM, null);
        replicas = new PartitionManager(config, logs, null);
        metadata.addListener(replicas);
        admin = new TopicAdmin(config, metadata);
    }

    @AfterEach
    void stop() throws Exception {
        for (TransactionCoordinatorService s : services) {
            s.close();
        }
        logs.shutdown();
        metadata.close();
    }

    private TransactionCoordinatorService newService() {
        TransactionCoordinatorService service = new TransactionCoordinatorService(
                config,
                metadata,
                admin,
                replicas,
                false,
                () -> CompletableFuture.completedFuture(producerIds.getAndIncrement()),
                (producerId, epoch, coordinatorEpoch, commit, tps) -> CompletableFuture.completedFuture(null));
        services.add(service);
        metadata.addListener(service);
        return service;
    }

    private static void awaitLoaded(TransactionCoordinator coordinator) throws Exception {
        for (int p = 0; p < 2; p++) {
            CoordinatorShard<?> shard = coordinator.shard(p);
            assertThat(shard).as("shard " + p).isNotNull();
            shard.loadFuture().get(10, TimeUnit.SECONDS);
            assertThat(shard.status()).isEqualTo(CoordinatorShard.Status.ACTIVE);
        }
    }

    @Test
    void transactionsAreInThePartitionLogAndSurviveARestartOfTheService() throws Exception {
        TransactionCoordinatorService before = newService();
        assertThat(before.coordinates("txn")).isFalse();
        assertThat(before.ensureTransactionStateTopic().get(10, TimeUnit.SECONDS))
                .isEqualTo(Errors.NONE);
        awaitLoaded(before.coordinator());
        assertThat(before.coordinates("txn")).isTrue();
        TxnResult p = before.coordinator()
                .initProducerId("txn", 30_000, -1, (short) -1, false, false)
                .get(10, TimeUnit.SECONDS);
        assertThat(p).isEqualTo(TxnResult.ok(5000, (short) 0));
        TxnTopicPartition tp = new TxnTopicPartition("t", 0);
        assertThat(before.coordinator()
                        .addPartitions("txn", 5000, (short) 0, List.of(tp), TransactionVersion.TV_0)
                        .get(10, TimeUnit.SECONDS))
                .isEqualTo(Errors.NONE);
        before.close();
        services.remove(before);

        TransactionCoordinatorService after = newService();
        after.onLoad(metadata.image());
        awaitLoaded(after.coordinator());
        assertThat(after.coordinator()
                        .describeTransaction("txn")
                        .get(10, TimeUnit.SECONDS)
                        .transactionState())
                .isEqualTo("Ongoing");
        assertThat(after.verify("txn", 5000, (short) 0, new TopicPartition("t", 0), false)
                        .get(10, TimeUnit.SECONDS))
                .isEqualTo(Errors.NONE);
        assertThat(after.verify("txn", 5000, (short) 0, new TopicPartition("t", 1), false)
                        .get(10, TimeUnit.SECONDS))
                .isEqualTo(Errors.TRANSACTION_ABORTABLE);
        assertThat(after.verify("txn", 5000, (short) 3, new TopicPartition("t", 1), true)
                        .get(10, TimeUnit.SECONDS))
                .isEqualTo(Errors.PRODUCER_FENCED);
        // With addPartition (transaction version 2) the partition joins the transaction.
        assertThat(after.verify("txn", 5000, (short) 0, new TopicPartition("t", 1), true)
                        .get(10, TimeUnit.SECONDS))
                .isEqualTo(Errors.NONE);
        assertThat(after.verify("txn", 5000, (short) 0, new TopicPartition("t", 1), false)
                        .get(10, TimeUnit.SECONDS))
                .isEqualTo(Errors.NONE);
    }
}
