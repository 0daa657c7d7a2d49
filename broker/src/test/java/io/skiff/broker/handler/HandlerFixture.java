package io.skiff.broker.handler;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.skiff.broker.admin.BrokerConfigAdmin;
import io.skiff.broker.admin.TopicAdmin;
import io.skiff.broker.admin.TopicConfigAdmin;
import io.skiff.broker.config.BrokerConfig;
import io.skiff.broker.config.DynamicBrokerConfig;
import io.skiff.broker.config.EndPoint;
import io.skiff.broker.config.TopicConfigs;
import io.skiff.broker.coordinator.TransactionVerifier;
import io.skiff.broker.fetch.FetchPurgatory;
import io.skiff.broker.fetch.FetchSessionCache;
import io.skiff.broker.metadata.MetadataManager;
import io.skiff.broker.metadata.TopicImage;
import io.skiff.broker.network.ApiDispatcher;
import io.skiff.broker.network.PipelineServer;
import io.skiff.broker.partition.AppendLanes;
import io.skiff.broker.partition.Partition;
import io.skiff.broker.partition.PartitionManager;
import io.skiff.broker.security.authz.AclAdmin;
import io.skiff.broker.security.authz.Authorizer;
import io.skiff.broker.security.authz.Authorizers;
import io.skiff.storage.LogConfig;
import io.skiff.storage.LogManager;
import io.skiff.storage.LogManagerConfig;
import io.skiff.storage.TopicPartition;
import io.skiff.wire.message.ProduceRequest;
import io.skiff.wire.message.ProduceResponse;
import io.skiff.wire.protocol.ApiKeys;
import io.skiff.wire.protocol.Errors;
import io.skiff.wire.record.ByteBufRecords;
import io.skiff.wire.record.TestBatches;
import io.skiff.wire.util.Clock;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Test support for handler tests: the broker's real components over a temp dir (metadata log and
 * manager, topic administration, log manager, partition manager, fetch purgatory and sessions,
 * append lanes), the real handlers that carry logic registered in one {@link ApiDispatcher} as
 * {@code SkiffBroker} registers them, served through the real request pipeline
 * ({@link PipelineServer}). Tests send generated request messages on {@link #connect()}ed
 * connections and read typed answers. One fixture per test; not thread-safe.
 */
final class HandlerFixture implements AutoCloseable {
    static final String CLUSTER_ID = "handler-test-cluster";
    static final String HOST = "broker.test";
    static final int PORT = 19092;

    final BrokerConfig config;
    /** {@link #config} with the dynamic broker configs of the metadata log on top, as the broker keeps it. */
    final DynamicBrokerConfig dynamicConfig;

    final BrokerConfigAdmin brokerConfigAdmin;
    final MetadataManager metadata;
    final LogManager logs;
    final PartitionManager partitions;
    final TopicAdmin topicAdmin;
    final TopicConfigAdmin topicConfigAdmin;
    final FetchPurgatory purgatory = new FetchPurgatory();
    final FetchSessionCache fetchSessions = new FetchSessionCache(1000, 120_000L);
    final AppendLanes appendLanes = new AppendLanes(2);
    final ScheduledExecutorService timeouts = Executors.newSingleThreadScheduledExecutor();
    /** The transaction coordinator as Produce sees it: answers what tests set (NONE by default). */
    final StubVerifier verifier = new StubVerifier();

    final TxnMarkerWriter txnMarkers;
    /** The authorizer {@code authorizer.class.name} in the overrides asks for (allow-all without). */
    final Authorizer authorizer;

    final AclAdmin aclAdmin;
    final PipelineServer server;

    HandlerFixture(Path dir) throws Exception {
        this(dir, Map.of());
    }

    /** A broker over {@code dir} with these broker settings on top of the defaults. */
    HandlerFixture(Path dir, Map<String, String> overrides) throws Exception {
        this(dir, overrides, true);
    }

    /** As {@link #HandlerFixture(Path, Map)}; without {@code withVerifier} Produce has no transaction coordinator. */
    HandlerFixture(Path dir, Map<String, String> overrides, boolean withVerifier) throws Exception {
        Path logDir = Files.createDirectories(dir.resolve("logs"));
        Map<String, String> props = new HashMap<>(overrides);
        props.put("log.dirs", logDir.toString());
        config = new BrokerConfig(props);
        dynamicConfig = DynamicBrokerConfig.of(config);
        metadata = MetadataManager.open(logDir);
        brokerConfigAdmin = new BrokerConfigAdmin(metadata, dynamicConfig);
        metadata.addListener(brokerConfigAdmin);
        logs = LogManager.start(
                LogManagerConfig.builder(List.<File>of(logDir.toFile()))
                        .defaultLogConfig(LogConfig.of(TopicConfigs.effectiveMap(Map.of(), config)))
                        .build(),
                Clock.SYSTEM,
                topic -> {
                    TopicImage t = metadata.image().topic(topic);
                    return t == null
                            ? null
                            : LogConfig.of(TopicConfigs.effectiveMap(t.configs(), dynamicConfig.current()));
                });
        partitions = new PartitionManager(dynamicConfig, logs, purgatory::onReadable);
        metadata.addListener(partitions);
        topicAdmin = new TopicAdmin(config, metadata);
        topicConfigAdmin = new TopicConfigAdmin(metadata, dynamicConfig);
        authorizer = Authorizers.fromConfig(config, metadata);
        aclAdmin = new AclAdmin(metadata);
        LocalNode node = new LocalNode(
                dynamicConfig, () -> CLUSTER_ID, () -> List.of(new EndPoint("PLAINTEXT", HOST, PORT, "PLAINTEXT")));
        ApiDispatcher dispatcher = new ApiDispatcher(false);
        dispatcher
                .register(new MetadataHandler(node, metadata, topicAdmin, partitions, authorizer))
                .register(new CreateTopicsHandler(topicAdmin, dynamicConfig, authorizer, null))
                .register(new DeleteTopicsHandler(topicAdmin, metadata, authorizer))
                .register(new CreatePartitionsHandler(topicAdmin, authorizer))
                .register(new ElectLeadersHandler(metadata, authorizer))
                .register(new DescribeConfigsHandler(node, metadata, authorizer))
                .register(new IncrementalAlterConfigsHandler(topicConfigAdmin, brokerConfigAdmin, authorizer))
                .register(new AlterConfigsHandler(topicConfigAdmin, brokerConfigAdmin, authorizer))
                .register(new ProduceHandler(
                        metadata,
                        partitions,
                        false,
                        System::currentTimeMillis,
                        timeouts,
                        appendLanes,
                        withVerifier ? verifier : null,
                        authorizer))
                .register(new FetchHandler(
                        metadata, partitions, fetchSessions, purgatory, System::currentTimeMillis, authorizer))
                .register(new ListOffsetsHandler(metadata, partitions, authorizer))
                .register(new DeleteRecordsHandler(metadata, partitions, authorizer))
                .register(new OffsetForLeaderEpochHandler(metadata, partitions, authorizer))
                .register(new DescribeProducersHandler(metadata, partitions, authorizer));
        txnMarkers = new TxnMarkerWriter(partitions, null, false, System::currentTimeMillis);
        dispatcher.register(new WriteTxnMarkersHandler(txnMarkers, authorizer));
        dispatcher
                .register(new CreateAclsHandler(authorizer, aclAdmin))
                .register(new DescribeAclsHandler(authorizer, aclAdmin))
                .register(new DeleteAclsHandler(authorizer, aclAdmin));
        server = new PipelineServer(dispatcher);
    }

    PipelineServer.Connection connect() throws InterruptedException {
        return server.connect();
    }

    /** Creates {@code name} through the topic administration, as CreateTopics would. */
    TopicImage createTopic(String name, int partitionCount) throws Exception {
        return createTopic(name, partitionCount, Map.of());
    }

    TopicImage createTopic(String name, int partitionCount, Map<String, String> configs) throws Exception {
        List<TopicAdmin.Outcome> out = await(topicAdmin.create(
                List.of(new TopicAdmin.NewTopic(name, partitionCount, (short) 1, Map.of(), configs)), false));
        assertThat(out.get(0).error()).as("creating " + name).isEqualTo(Errors.NONE);
        return metadata.image().topic(name);
    }

    /** The hosted partition {@code topic}-{@code index} (it must exist). */
    Partition partition(String topic, int index) {
        Partition p = partitions.partition(new TopicPartition(topic, index));
        assertThat(p).as(topic + "-" + index).isNotNull();
        return p;
    }

    /** Makes this node the leader of {@code topic}-{@code index} in {@code epoch}, as an election would. */
    void electLeader(String topic, int index, int epoch) throws Exception {
        assertThat(partitions.becomeLeader(new TopicPartition(topic, index), epoch))
                .isTrue();
    }

    /** A produce request (v3-v12, by name) of one partition; the records stay the caller's. */
    static ProduceRequest produceRequest(String topic, int partition, short acks, ByteBuf records) {
        return new ProduceRequest()
                .setAcks(acks)
                .setTimeoutMs(30_000)
                .setTopicData(List.of(new ProduceRequest.TopicProduceData()
                        .setName(topic)
                        .setPartitionData(List.of(new ProduceRequest.PartitionProduceData()
                                .setIndex(partition)
                                .setRecords(new ByteBufRecords(records))))));
    }

    /** Produces one batch built from {@code spec} (acks=-1, Produce v11) and answers the partition's response. */
    static ProduceResponse.PartitionProduceResponse produce(
            PipelineServer.Connection c, String topic, int partition, TestBatches.Spec spec)
            throws InterruptedException {
        ByteBuf batch = spec.build();
        int correlationId;
        try {
            correlationId = c.send(ApiKeys.PRODUCE, 11, produceRequest(topic, partition, (short) -1, batch));
        } finally {
            batch.release();
        }
        ProduceResponse r = c.receive(correlationId, ApiKeys.PRODUCE, 11, new ProduceResponse());
        return r.responses().get(0).partitionResponses().get(0);
    }

    /** Produces {@code spec}, which must succeed; returns its base offset. */
    static long produceOk(PipelineServer.Connection c, String topic, int partition, TestBatches.Spec spec)
            throws InterruptedException {
        ProduceResponse.PartitionProduceResponse r = produce(c, topic, partition, spec);
        assertThat(Errors.forCode(r.errorCode()))
                .as("produce to " + topic + "-" + partition)
                .isEqualTo(Errors.NONE);
        return r.baseOffset();
    }

    /** A {@link TransactionVerifier} answering {@link #answer} and counting the questions. */
    static final class StubVerifier implements TransactionVerifier {
        volatile Errors answer = Errors.NONE;
        /** When set, answers wait for it (then answer {@link #answer}). */
        volatile CompletableFuture<Void> gate;

        final AtomicInteger calls = new AtomicInteger();
        volatile boolean lastAddPartition;

        @Override
        public CompletableFuture<Errors> verify(
                String transactionalId,
                long producerId,
                short producerEpoch,
                TopicPartition partition,
                boolean addPartition) {
            calls.incrementAndGet();
            lastAddPartition = addPartition;
            CompletableFuture<Void> g = gate;
            return g == null ? CompletableFuture.completedFuture(answer) : g.thenApply(v -> answer);
        }
    }

    static <T> T await(CompletableFuture<T> f) throws Exception {
        return f.get(PipelineServer.WAIT_SECONDS, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws Exception {
        server.close();
        purgatory.close();
        timeouts.shutdownNow();
        appendLanes.close();
        logs.shutdown();
        metadata.close();
    }
}
