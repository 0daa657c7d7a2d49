package io.skiff.broker;

import io.skiff.broker.admin.BrokerConfigAdmin;
import io.skiff.broker.admin.ProducerIdManager;
import io.skiff.broker.admin.TopicAdmin;
import io.skiff.broker.admin.TopicConfigAdmin;
import io.skiff.broker.cluster.BrokerLifecycle;
import io.skiff.broker.cluster.RatisQuorum;
import io.skiff.broker.config.BrokerConfig;
import io.skiff.broker.config.DynamicBrokerConfig;
import io.skiff.broker.config.EndPoint;
import io.skiff.broker.config.QuorumConfig;
import io.skiff.broker.config.SecurityConfigs;
import io.skiff.broker.config.TopicConfigs;
import io.skiff.broker.coordinator.GroupCoordinatorService;
import io.skiff.broker.coordinator.TransactionCoordinatorService;
import io.skiff.broker.fetch.FetchPurgatory;
import io.skiff.broker.fetch.FetchSessionCache;
import io.skiff.broker.handler.AddOffsetsToTxnHandler;
import io.skiff.broker.handler.AddPartitionsToTxnHandler;
import io.skiff.broker.handler.AlterClientQuotasHandler;
import io.skiff.broker.handler.AlterConfigsHandler;
import io.skiff.broker.handler.AlterUserScramCredentialsHandler;
import io.skiff.broker.handler.ApiVersionsHandler;
import io.skiff.broker.handler.ConsumerGroupDescribeHandler;
import io.skiff.broker.handler.ConsumerGroupHeartbeatHandler;
import io.skiff.broker.handler.CreateAclsHandler;
import io.skiff.broker.handler.CreatePartitionsHandler;
import io.skiff.broker.handler.CreateTopicsHandler;
import io.skiff.broker.handler.DeleteAclsHandler;
import io.skiff.broker.handler.DeleteGroupsHandler;
import io.skiff.broker.handler.DeleteRecordsHandler;
import io.skiff.broker.handler.DeleteTopicsHandler;
import io.skiff.broker.handler.DescribeAclsHandler;
import io.skiff.broker.handler.DescribeClientQuotasHandler;
import io.skiff.broker.handler.DescribeClusterHandler;
import io.skiff.broker.handler.DescribeConfigsHandler;
import io.skiff.broker.handler.DescribeGroupsHandler;
import io.skiff.broker.handler.DescribeLogDirsHandler;
import io.skiff.broker.handler.DescribeProducersHandler;
import io.skiff.broker.handler.DescribeQuorumHandler;
import io.skiff.broker.handler.DescribeTopicPartitionsHandler;
import io.skiff.broker.handler.DescribeTransactionsHandler;
import io.skiff.broker.handler.DescribeUserScramCredentialsHandler;
import io.skiff.broker.handler.ElectLeadersHandler;
import io.skiff.broker.handler.EndTxnHandler;
import io.skiff.broker.handler.FetchHandler;
import io.skiff.broker.handler.FindCoordinatorHandler;
import io.skiff.broker.handler.HeartbeatHandler;
import io.skiff.broker.handler.IncrementalAlterConfigsHandler;
import io.skiff.broker.handler.InitProducerIdHandler;
import io.skiff.broker.handler.JoinGroupHandler;
import io.skiff.broker.handler.LeaveGroupHandler;
import io.skiff.broker.handler.ListGroupsHandler;
import io.skiff.broker.handler.ListOffsetsHandler;
import io.skiff.broker.handler.ListTransactionsHandler;
import io.skiff.broker.handler.LocalNode;
import io.skiff.broker.handler.MetadataHandler;
import io.skiff.broker.handler.OffsetCommitHandler;
import io.skiff.broker.handler.OffsetDeleteHandler;
import io.skiff.broker.handler.OffsetFetchHandler;
import io.skiff.broker.handler.OffsetForLeaderEpochHandler;
import io.skiff.broker.handler.ProduceHandler;
import io.skiff.broker.handler.SaslAuthenticateHandler;
import io.skiff.broker.handler.SaslHandshakeHandler;
import io.skiff.broker.handler.SyncGroupHandler;
import io.skiff.broker.handler.TxnMarkerWriter;
import io.skiff.broker.handler.TxnOffsetCommitHandler;
import io.skiff.broker.handler.WriteTxnMarkersHandler;
import io.skiff.broker.metadata.MetadataManager;
import io.skiff.broker.metadata.MetadataRecord;
import io.skiff.broker.metadata.Placement;
import io.skiff.broker.metadata.TopicImage;
import io.skiff.broker.metadata.kraft.KraftImport;
import io.skiff.broker.metadata.kraft.KraftMigration;
import io.skiff.broker.metrics.BrokerMetrics;
import io.skiff.broker.network.ApiDispatcher;
import io.skiff.broker.network.ApiHandler;
import io.skiff.broker.network.ConnectionQuotas;
import io.skiff.broker.network.SkiffServer;
import io.skiff.broker.partition.AppendLanes;
import io.skiff.broker.partition.PartitionManager;
import io.skiff.broker.quota.ClientQuotaAdmin;
import io.skiff.broker.quota.ClientQuotas;
import io.skiff.broker.replication.IsrManager;
import io.skiff.broker.replication.ReplicaFetcherManager;
import io.skiff.broker.replication.ReplicationSettings;
import io.skiff.broker.security.ListenerSecurities;
import io.skiff.broker.security.ScramCredential;
import io.skiff.broker.security.authz.AclAdmin;
import io.skiff.broker.security.authz.Authorizer;
import io.skiff.broker.security.authz.Authorizers;
import io.skiff.storage.LogConfig;
import io.skiff.storage.LogManager;
import io.skiff.storage.LogManagerConfig;
import io.skiff.wire.util.Clock;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root of one broker: configuration, log directories, API handlers and
 * listeners. {@link #start()} once, {@link #shutdown()} once (idempotent). Thread-safe.
 */
public final class SkiffBroker {
    private static final Logger LOG = LoggerFactory.getLogger(SkiffBroker.class);
    /** Threads for produce requests that may block (segment rolls, recompression). */
    private static final int APPEND_THREADS = 2;
    /** A replicated quorum snapshots its image every this many log entries. */
    private static final long SNAPSHOT_EVERY_ENTRIES = 1000;

    private final BrokerConfig config;
    /** The configuration with the dynamic broker configs of the metadata log on top; what live readers use. */
    private final DynamicBrokerConfig dynamicConfig;

    private BrokerConfigAdmin brokerConfigAdmin;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private SkiffServer server;
    private ApiDispatcher dispatcher;
    private MetadataManager metadata;
    private LocalNode node;
    private TopicAdmin topicAdmin;
    private TopicConfigAdmin topicConfigAdmin;
    private ProducerIdManager producerIds;
    private LogManager logManager;
    private PartitionManager partitions;
    private AppendLanes appendLanes;
    private FetchPurgatory purgatory;
    private FetchSessionCache fetchSessions;
    private ScheduledExecutorService timeouts;
    private GroupCoordinatorService groups;
    /** Transaction markers onto this broker's partitions (WriteTxnMarkers; the transaction coordinator in process). */
    private TxnMarkerWriter txnMarkers;

    private TransactionCoordinatorService transactions;
    private MetaProperties meta;
    private ConnectionQuotas connectionQuotas;
    private ClientQuotas clientQuotas;
    private ClientQuotaAdmin clientQuotaAdmin;
    /** What every handler asks before it acts (allow-all without authorizer.class.name), and the ACL APIs' admin. */
    private Authorizer authorizer;

    private AclAdmin aclAdmin;
    private ListenerSecurities security;
    /** The replicated metadata quorum and this broker's registration in it; null on a single node. */
    private RatisQuorum ratis;

    private BrokerLifecycle lifecycle;
    /** Kafka's meters: a Prometheus endpoint and MBeans when skiff.metrics.* ask for them, else no-ops. */
    private BrokerMetrics metrics;

    /** Replica fetchers and ISR changes of a cluster; null on a single node. */
    private ReplicaFetcherManager replicaFetchers;

    private IsrManager isrManager;
    private volatile boolean shutDown;

    public SkiffBroker(BrokerConfig config) {
        this.config = config;
        this.dynamicConfig = DynamicBrokerConfig.of(config);
    }

    public synchronized void start() throws IOException, InterruptedException {
        long startNanos = System.nanoTime();
        int nodeId = config.nodeId();
        List<String> dirs = config.logDirs();
        // The metadata quorum: a local file on a single node; Apache Ratis among several voters, whose
        // directories must have been formatted with the cluster's id.
        QuorumConfig quorumConfig = config.quorum();
        meta = MetaProperties.ensure(metadataAndLogDirs(config), nodeId, quorumConfig.replicated());
        // An Apache Kafka log directory: its metadata becomes Skiff's before anything reads the image.
        KraftImport imported =
                quorumConfig.replicated() ? null : KraftMigration.importIfNeeded(Path.of(dirs.get(0)), config);
        if (quorumConfig.replicated()) {
            ratis = new RatisQuorum(quorumConfig, meta.clusterId, SNAPSHOT_EVERY_ENTRIES);
            metadata = MetadataManager.open(ratis, nodeId);
        } else {
            metadata = MetadataManager.open(Path.of(dirs.get(0)));
        }
        // Dynamic broker configs: taken from the image before anything reads the configuration.
        brokerConfigAdmin = new BrokerConfigAdmin(metadata, dynamicConfig);
        metadata.addListener(brokerConfigAdmin);
        // ACLs from the metadata log, enforced by the handlers when authorizer.class.name asks for it.
        authorizer = Authorizers.fromConfig(config, metadata);
        aclAdmin = new AclAdmin(metadata);
        node = ratis == null
                ? new LocalNode(dynamicConfig, this::clusterId, this::advertisedEndPoints)
                : new LocalNode(
                        dynamicConfig, this::clusterId, this::advertisedEndPoints, metadata::image, ratis::leaderId);
        topicAdmin = new TopicAdmin(config, metadata);
        topicConfigAdmin = new TopicConfigAdmin(metadata, dynamicConfig);
        producerIds = new ProducerIdManager(metadata);
        purgatory = new FetchPurgatory();
        fetchSessions = new FetchSessionCache(1000, 120_000L);
        logManager = LogManager.start(logManagerConfig(dynamicConfig.current(), dirs), Clock.SYSTEM, topic -> {
            TopicImage t = metadata.image().topic(topic);
            return t == null ? null : LogConfig.of(TopicConfigs.effectiveMap(t.configs(), dynamicConfig.current()));
        });
        // In a cluster each partition lives on one broker, round-robin over the voters (one replica).
        partitions = ratis == null
                ? new PartitionManager(dynamicConfig, logManager, purgatory::onReadable)
                : new PartitionManager(
                        dynamicConfig, logManager, purgatory::onReadable, Placement.roundRobin(voterIds(config)));
        if (imported != null) {
            partitions.takeOverFrom(imported.leaderEpochs());
        }
        startReplication();
        metadata.addListener(partitions);
        appendLanes = new AppendLanes(APPEND_THREADS);
        groups = new GroupCoordinatorService(config, metadata, topicAdmin, partitions, fsync(config));
        metadata.addListener(groups);
        GroupCoordinatorService groupService = groups;
        txnMarkers = new TxnMarkerWriter(
                partitions,
                (tp, producerId, producerEpoch, coordinatorEpoch, commit) -> groupService
                        .coordinator()
                        .completeTransaction(tp.partition(), producerId, producerEpoch, coordinatorEpoch, commit),
                fsync(config),
                System::currentTimeMillis);
        transactions = new TransactionCoordinatorService(
                config, metadata, topicAdmin, partitions, fsync(config), producerIds::nextId, txnMarkers);
        metadata.addListener(transactions);
        timeouts = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "skiff-timeouts");
            t.setDaemon(true);
            return t;
        });
        // Client quotas (from the metadata image) and connection limits, enforced by the server.
        connectionQuotas =
                new ConnectionQuotas(ConnectionQuotas.Limits.of(dynamicConfig.current()), System::currentTimeMillis);
        ConnectionQuotas limited = connectionQuotas;
        dynamicConfig.addReconfigurable((previous, next) -> limited.updateLimits(ConnectionQuotas.Limits.of(next)));
        clientQuotas = new ClientQuotas(
                config.getInt(BrokerConfig.QUOTA_WINDOW_NUM),
                config.getInt(BrokerConfig.QUOTA_WINDOW_SIZE_SECONDS),
                config.getInt(BrokerConfig.CONTROLLER_QUOTA_WINDOW_NUM),
                config.getInt(BrokerConfig.CONTROLLER_QUOTA_WINDOW_SIZE_SECONDS),
                connectionQuotas,
                System::currentTimeMillis);
        metadata.addListener(clientQuotas);
        clientQuotaAdmin = new ClientQuotaAdmin(metadata);
        // TLS contexts and SASL mechanisms of every listener, checked before anything is served.
        MetadataManager credentialsSource = metadata;
        security = ListenerSecurities.of(config, (user, mechanism) -> {
            MetadataRecord.UserScramCredentialChanged c =
                    credentialsSource.image().scramCredential(user, mechanism.type);
            return c == null ? null : new ScramCredential(c.salt(), c.storedKey(), c.serverKey(), c.iterations());
        });
        // Metrics (skiff.metrics.*): read from the partitions, groups and connections; the endpoint is bound
        // before the listeners, so a port in use stops start-up before clients are served.
        metrics = BrokerMetrics.create(config);
        metrics.bind(partitions, metadata, groupService::coordinator, connectionQuotas, listenerNames(config));
        logManager.flushObserver(metrics.flushObserver());
        metrics.start();
        dispatcher = new ApiDispatcher(config.unstableApiVersionsEnabled());
        for (var handler : Handlers.create(this, dispatcher)) {
            dispatcher.register(handler);
        }
        server = new SkiffServer(
                config, dispatcher, clientQuotas, connectionQuotas, security, metrics.requestObserver());
        server.start();
        if (ratis != null) {
            lifecycle = BrokerLifecycle.start(
                    config, dynamicConfig::current, ratis, metadata, server.advertisedEndPoints());
        }
        LOG.info(
                "Skiff node {} of cluster {} started in {} ms; advertising {}",
                nodeId,
                meta.clusterId,
                (System.nanoTime() - startNanos) / 1_000_000,
                server.advertisedEndPoints());
    }

    /** Replication in a cluster: followers fetch from leaders; leaders change ISRs through the metadata. */
    private void startReplication() {
        if (ratis == null) {
            return;
        }
        replicaFetchers = new ReplicaFetcherManager(ReplicationSettings.of(config), metadata::image);
        partitions.setReplication(replicaFetchers, purgatory::onLogEnd);
        isrManager = new IsrManager(
                partitions, metadata, config.getLong(BrokerConfig.REPLICA_LAG_TIME_MAX_MS), System::currentTimeMillis);
        isrManager.countChangesWith(
                n -> {
                    if (metrics != null) {
                        metrics.isrShrinks().mark(n);
                    }
                },
                n -> {
                    if (metrics != null) {
                        metrics.isrExpands().mark(n);
                    }
                });
        isrManager.start();
    }

    public BrokerConfig config() {
        return config;
    }

    public String clusterId() {
        return meta.clusterId;
    }

    public int nodeId() {
        return config.nodeId();
    }

    public int boundPort(String listenerName) {
        return server.boundPort(listenerName);
    }

    public List<EndPoint> advertisedEndPoints() {
        return server.advertisedEndPoints();
    }

    /** The API handlers this broker serves, as registered. */
    public List<ApiHandler<?>> apiHandlers() {
        return dispatcher.handlers();
    }

    /** The finalized-features epoch announced in ApiVersions. */
    long finalizedFeaturesEpoch() {
        return metadata.image().offset();
    }

    private static List<Integer> voterIds(BrokerConfig config) {
        List<Integer> ids = new ArrayList<>();
        for (QuorumConfig.Voter v : config.quorum().voters()) {
            ids.add(v.nodeId());
        }
        return ids;
    }

    /** The log directories, and the metadata directory of a replicated quorum when it is none of them. */
    static List<Path> metadataAndLogDirs(BrokerConfig config) {
        List<Path> out = new ArrayList<>();
        for (String d : config.logDirs()) {
            out.add(Path.of(d));
        }
        Path metadataDir = config.quorum().metadataDir();
        if (config.quorum().replicated() && !out.contains(metadataDir)) {
            out.add(metadataDir);
        }
        return out;
    }

    static LogManagerConfig logManagerConfig(BrokerConfig config, List<String> dirs) {
        List<File> files = new ArrayList<>();
        for (String d : dirs) {
            files.add(new File(d));
        }
        return LogManagerConfig.builder(files)
                .defaultLogConfig(LogConfig.of(TopicConfigs.effectiveMap(Map.of(), config)))
                .retentionCheckIntervalMs(config.getLong("log.retention.check.interval.ms"))
                .flushCheckIntervalMs(config.getLong("log.flush.scheduler.interval.ms"))
                .recoveryPointCheckpointIntervalMs(config.getInt("log.flush.offset.checkpoint.interval.ms"))
                .logStartOffsetCheckpointIntervalMs(config.getInt("log.flush.start.offset.checkpoint.interval.ms"))
                .producerIdExpirationMs(config.getInt("producer.id.expiration.ms"))
                .transactionVerificationEnabled(config.getBoolean("transaction.partition.verification.enable"))
                .cleanerEnable(config.getBoolean("log.cleaner.enable"))
                .cleanerThreads(config.getInt("log.cleaner.threads"))
                .cleanerDedupeBufferSize(config.getLong("log.cleaner.dedupe.buffer.size"))
                .cleanerIoBufferSize(config.getInt("log.cleaner.io.buffer.size"))
                .cleanerIoBufferLoadFactor(config.getDouble("log.cleaner.io.buffer.load.factor"))
                .cleanerIoMaxBytesPerSecond(config.getDouble("log.cleaner.io.max.bytes.per.second"))
                .cleanerBackoffMs(Math.max(1L, config.getLong("log.cleaner.backoff.ms")))
                .durability(fsync(config) ? LogManagerConfig.Durability.FSYNC : LogManagerConfig.Durability.PAGE_CACHE)
                .flushThreadsPerDir(config.getInt(BrokerConfig.SKIFF_LOG_FLUSH_THREADS_PER_DATA_DIR))
                .build();
    }

    static boolean fsync(BrokerConfig config) {
        return "fsync".equalsIgnoreCase(config.getString(BrokerConfig.SKIFF_LOG_DURABILITY));
    }

    public PartitionManager partitions() {
        return partitions;
    }

    /** This broker's metrics (no-ops unless skiff.metrics.* turned them on). */
    public BrokerMetrics metrics() {
        return metrics;
    }

    private static List<String> listenerNames(BrokerConfig config) {
        List<String> names = new ArrayList<>();
        for (EndPoint e : config.listeners()) {
            names.add(e.listenerName);
        }
        return names;
    }

    public MetadataManager metadata() {
        return metadata;
    }

    /** The connection limits of this broker's listeners. */
    public ConnectionQuotas connectionQuotas() {
        return connectionQuotas;
    }

    public void shutdown() {
        synchronized (this) {
            if (shutDown) {
                return;
            }
            shutDown = true;
        }
        LOG.info("Skiff node {} shutting down", config.nodeId());
        // In a cluster the broker first hands its leaderships to other in-sync replicas while it still
        // serves clients (Kafka's controlled shutdown), so that they move before it goes.
        if (lifecycle != null && config.getBoolean(BrokerConfig.CONTROLLED_SHUTDOWN_ENABLE)) {
            swallow("controlled shutdown", () -> {
                try {
                    lifecycle.controlledShutdown();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
        // Every step runs even when an earlier one throws: the log manager's clean shutdown marker, written
        // last by logManager.shutdown(), spares the next start a recovery scan, and it must not be skipped
        // because, say, a coordinator failed to close.
        if (purgatory != null) {
            swallow("fetch purgatory", purgatory::close); // answers parked fetches while connections are open
        }
        if (server != null) {
            swallow("network server", server::shutdown);
        }
        if (timeouts != null) {
            swallow("timeouts", timeouts::shutdownNow);
        }
        if (appendLanes != null) {
            swallow("append lanes", appendLanes::close);
        }
        if (transactions != null) {
            swallow("transaction coordinator", transactions::close);
        }
        if (groups != null) {
            swallow("group coordinator", groups::close);
        }
        if (isrManager != null) {
            swallow("ISR manager", isrManager::close);
        }
        if (replicaFetchers != null) {
            swallow("replica fetchers", replicaFetchers::close);
        }
        if (logManager != null) {
            swallow("log manager", () -> {
                try {
                    logManager.shutdown();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
        if (lifecycle != null) {
            swallow("broker lifecycle", lifecycle::close);
        }
        if (metrics != null) {
            swallow("metrics", metrics::close);
        }
        if (metadata != null) {
            swallow("metadata", metadata::close);
        }
        LOG.info("Skiff node {} stopped", config.nodeId());
        stopped.countDown();
    }

    /** Runs one shutdown step, logging instead of passing on what it throws, so that the next steps run. */
    private static void swallow(String what, Runnable step) {
        try {
            step.run();
        } catch (RuntimeException | Error e) {
            LOG.error("Shutting down the {} failed; going on with the rest of the shutdown", what, e);
        }
    }

    public void awaitShutdown() throws InterruptedException {
        stopped.await();
    }

    /** The one list of API handlers; ApiVersions is computed from it. */
    static final class Handlers {
        private Handlers() {}

        static List<ApiHandler<?>> create(SkiffBroker broker, ApiDispatcher dispatcher) {
            LocalNode node = broker.node;
            PartitionManager partitions = broker.partitions;
            MetadataManager metadata = broker.metadata;
            return List.of(
                    new ApiVersionsHandler(dispatcher, broker::finalizedFeaturesEpoch),
                    new MetadataHandler(node, metadata, broker.topicAdmin, partitions, broker.authorizer),
                    new CreateTopicsHandler(
                            broker.topicAdmin, broker.dynamicConfig, broker.authorizer, broker.clientQuotas),
                    new DeleteTopicsHandler(broker.topicAdmin, metadata, broker.authorizer, broker.clientQuotas),
                    new CreatePartitionsHandler(broker.topicAdmin, broker.authorizer, broker.clientQuotas),
                    new ElectLeadersHandler(metadata, broker.authorizer),
                    new DescribeTopicPartitionsHandler(node, metadata, partitions, broker.authorizer),
                    new DescribeClusterHandler(node, broker.authorizer),
                    new DescribeQuorumHandler(
                            metadata,
                            broker.config.quorum(),
                            broker.config.controllerListenerName(),
                            broker.authorizer),
                    new DescribeConfigsHandler(node, metadata, broker.authorizer),
                    new InitProducerIdHandler(broker.producerIds, broker.transactions, broker.authorizer),
                    new ProduceHandler(
                            metadata,
                            partitions,
                            fsync(broker.config),
                            System::currentTimeMillis,
                            broker.timeouts,
                            broker.appendLanes,
                            broker.transactions,
                            broker.authorizer,
                            broker.metrics.topicStats()),
                    new WriteTxnMarkersHandler(broker.txnMarkers, broker.authorizer),
                    new FetchHandler(
                            metadata,
                            partitions,
                            broker.fetchSessions,
                            broker.purgatory,
                            System::currentTimeMillis,
                            broker.authorizer,
                            broker.metrics.topicStats()),
                    new ListOffsetsHandler(metadata, partitions, broker.authorizer),
                    new DeleteRecordsHandler(metadata, partitions, broker.authorizer),
                    new DescribeLogDirsHandler(partitions, broker.config.logDirs(), broker.authorizer),
                    new FindCoordinatorHandler(node, broker.groups, broker.transactions, broker.authorizer),
                    new AddPartitionsToTxnHandler(metadata, broker.transactions.coordinator(), broker.authorizer),
                    new AddOffsetsToTxnHandler(
                            broker.transactions.coordinator(), broker.groups.coordinator(), broker.authorizer),
                    new EndTxnHandler(broker.transactions.coordinator(), broker.authorizer),
                    new DescribeTransactionsHandler(broker.transactions.coordinator(), broker.authorizer),
                    new ListTransactionsHandler(broker.transactions.coordinator(), broker.authorizer),
                    new JoinGroupHandler(broker.groups.coordinator(), broker.authorizer),
                    new SyncGroupHandler(broker.groups.coordinator(), broker.authorizer),
                    new HeartbeatHandler(broker.groups.coordinator(), broker.authorizer),
                    new LeaveGroupHandler(broker.groups.coordinator(), broker.authorizer),
                    new OffsetCommitHandler(broker.groups.coordinator(), broker.authorizer),
                    new TxnOffsetCommitHandler(
                            broker.groups.coordinator(),
                            broker.transactions,
                            broker.config.getBoolean("transaction.partition.verification.enable"),
                            broker.authorizer),
                    new OffsetFetchHandler(broker.groups.coordinator(), broker.authorizer),
                    new OffsetDeleteHandler(broker.groups.coordinator(), broker.authorizer),
                    new ListGroupsHandler(broker.groups.coordinator(), broker.authorizer),
                    new DescribeGroupsHandler(broker.groups.coordinator(), broker.authorizer),
                    new DeleteGroupsHandler(broker.groups.coordinator(), broker.authorizer),
                    new ConsumerGroupHeartbeatHandler(broker.groups.coordinator(), broker.authorizer),
                    new ConsumerGroupDescribeHandler(broker.groups.coordinator(), broker.authorizer),
                    new IncrementalAlterConfigsHandler(
                            broker.topicConfigAdmin, broker.brokerConfigAdmin, broker.authorizer),
                    new AlterConfigsHandler(broker.topicConfigAdmin, broker.brokerConfigAdmin, broker.authorizer),
                    new OffsetForLeaderEpochHandler(metadata, partitions, broker.authorizer),
                    new DescribeProducersHandler(metadata, partitions, broker.authorizer),
                    new DescribeAclsHandler(broker.authorizer, broker.aclAdmin),
                    new CreateAclsHandler(broker.authorizer, broker.aclAdmin),
                    new DeleteAclsHandler(broker.authorizer, broker.aclAdmin),
                    new DescribeClientQuotasHandler(metadata, broker.authorizer),
                    new AlterClientQuotasHandler(broker.clientQuotaAdmin, broker.authorizer),
                    new DescribeUserScramCredentialsHandler(metadata, broker.authorizer),
                    new AlterUserScramCredentialsHandler(metadata, broker.authorizer),
                    new SaslHandshakeHandler(broker.security),
                    new SaslAuthenticateHandler(
                            broker.security,
                            0L,
                            broker.config.getInt(SecurityConfigs.CONNECTION_FAILED_AUTHENTICATION_DELAY_MS)));
        }
    }
}
