package io.skiff.broker.handler;

import static org.assertj.core.api.Assertions.assertThat;

import io.skiff.broker.admin.ProducerIdManager;
import io.skiff.broker.admin.TopicAdmin;
import io.skiff.broker.config.BrokerConfig;
import io.skiff.broker.config.EndPoint;
import io.skiff.broker.config.TopicConfigs;
import io.skiff.broker.coordinator.GroupCoordinatorService;
import io.skiff.broker.coordinator.TransactionCoordinatorService;
import io.skiff.broker.metadata.MetadataManager;
import io.skiff.broker.metadata.TopicImage;
import io.skiff.broker.network.ApiDispatcher;
import io.skiff.broker.network.PipelineServer;
import io.skiff.broker.partition.PartitionManager;
import io.skiff.broker.security.authz.Authorizer;
import io.skiff.coordinator.transaction.TransactionMarkerChannel;
import io.skiff.coordinator.transaction.TxnTopicPartition;
import io.skiff.storage.LogConfig;
import io.skiff.storage.LogManager;
import io.skiff.storage.LogManagerConfig;
import io.skiff.wire.protocol.Errors;
import io.skiff.wire.util.Clock;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Test support for the transaction handlers: real metadata, logs, partitions, topic administration,
 * group and transaction coordinator services over a temp dir, with a marker channel that records
 * each write and completes it at once; the handlers registered as {@code SkiffBroker} registers
 * them, served through the real request pipeline. One fixture per test; not thread-safe.
 */
final class TransactionFixture implements AutoCloseable {
    /** One marker write. */
    record MarkerWrite(long producerId, short producerEpoch, boolean commit, List<TxnTopicPartition> partitions) {}

    final BrokerConfig config;
    final MetadataManager metadata;
    final LogManager logs;
    final PartitionManager partitions;
    final TopicAdmin topicAdmin;
    final GroupCoordinatorService groups;
    final TransactionCoordinatorService transactions;
    final List<MarkerWrite> markers = new CopyOnWriteArrayList<>();
    final PipelineServer server;

    TransactionFixture(Path dir, Map<String, String> overrides) throws Exception {
        Path logDir = Files.createDirectories(dir.resolve("logs"));
        Map<String, String> props = new HashMap<>(overrides);
        props.put("log.dirs", logDir.toString());
        props.putIfAbsent("transaction.state.log.num.partitions", "3");
        props.putIfAbsent("offsets.topic.num.partitions", "3");
        config = new BrokerConfig(props);
        metadata = MetadataManager.open(logDir);
        logs = LogManager.start(
                LogManagerConfig.builder(List.<File>of(logDir.toFile()))
                        .defaultLogConfig(LogConfig.of(TopicConfigs.effectiveMap(Map.of(), config)))
                        .build(),
                Clock.SYSTEM,
                topic -> {
                    TopicImage t = metadata.image().topic(topic);
                    return t == null ? null : LogConfig.of(TopicConfigs.effectiveMap(t.configs(), config));
                });
        partitions = new PartitionManager(config, logs, null);
        metadata.addListener(partitions);
        topicAdmin = new TopicAdmin(config, metadata);
        groups = new GroupCoordinatorService(config, metadata, topicAdmin, partitions, false);
        metadata.addListener(groups);
        TransactionMarkerChannel channel = (producerId, epoch, coordinatorEpoch, commit, tps) -> {
            markers.add(new MarkerWrite(producerId, epoch, commit, List.copyOf(tps)));
            return CompletableFuture.completedFuture(null);
        };
        ProducerIdManager producerIds = new ProducerIdManager(metadata);
        transactions = new TransactionCoordinatorService(
                config, metadata, topicAdmin, partitions, false, producerIds::nextId, channel);
        metadata.addListener(transactions);
        LocalNode node = new LocalNode(
                config,
                () -> HandlerFixture.CLUSTER_ID,
                () -> List.of(new EndPoint("PLAINTEXT", HandlerFixture.HOST, HandlerFixture.PORT, "PLAINTEXT")));
        ApiDispatcher dispatcher = new ApiDispatcher(false);
        dispatcher
                .register(new InitProducerIdHandler(producerIds, transactions, Authorizer.ALLOW_ALL))
                .register(new FindCoordinatorHandler(node, groups, transactions, Authorizer.ALLOW_ALL))
                .register(new AddPartitionsToTxnHandler(metadata, transactions.coordinator(), Authorizer.ALLOW_ALL))
                .register(new AddOffsetsToTxnHandler(
                        transactions.coordinator(), groups.coordinator(), Authorizer.ALLOW_ALL))
                .register(new EndTxnHandler(transactions.coordinator(), Authorizer.ALLOW_ALL))
                .register(new DescribeTransactionsHandler(transactions.coordinator(), Authorizer.ALLOW_ALL))
                .register(new ListTransactionsHandler(transactions.coordinator(), Authorizer.ALLOW_ALL));
        server = new PipelineServer(dispatcher);
    }

    PipelineServer.Connection connect() throws InterruptedException {
        return server.connect();
    }

    TopicImage createTopic(String name, int partitionCount) throws Exception {
        List<TopicAdmin.Outcome> out = topicAdmin
                .create(List.of(new TopicAdmin.NewTopic(name, partitionCount, (short) 1, Map.of(), Map.of())), false)
                .get(PipelineServer.WAIT_SECONDS, TimeUnit.SECONDS);
        assertThat(out.get(0).error()).as("creating " + name).isEqualTo(Errors.NONE);
        return metadata.image().topic(name);
    }

    @Override
    public void close() throws Exception {
        server.close();
        transactions.close();
        groups.close();
        logs.shutdown();
        metadata.close();
    }
}
