package io.skiff.broker;

import io.skiff.broker.config.BrokerConfig;
import io.skiff.broker.config.EndPoint;
import io.skiff.broker.admin.ProducerIdManager;
import io.skiff.broker.admin.TopicAdmin;
import io.skiff.broker.handler.ApiVersionsHandler;
import io.skiff.broker.handler.Cluster;
import io.skiff.broker.handler.CreatePartitionsHandler;
import io.skiff.broker.handler.CreateTopicsHandler;
import io.skiff.broker.handler.DeleteTopicsHandler;
import io.skiff.broker.handler.DescribeClusterHandler;
import io.skiff.broker.handler.DescribeConfigsHandler;
import io.skiff.broker.handler.DescribeTopicPartitionsHandler;
import io.skiff.broker.handler.InitProducerIdHandler;
import io.skiff.broker.handler.MetadataHandler;
import io.skiff.broker.metadata.MetadataManager;
import io.skiff.broker.network.ApiDispatcher;
import io.skiff.broker.network.SkiffServer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root of one broker: configuration, log directories, API handlers and
 * listeners. {@link #start()} once, {@link #shutdown()} once (idempotent). Thread-safe.
 */
public final class SkiffBroker {
    private static final Logger LOG = LoggerFactory.getLogger(SkiffBroker.class);

    private final BrokerConfig config;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private SkiffServer server;
    private ApiDispatcher dispatcher;
    private MetadataManager metadata;
    private Cluster cluster;
    private TopicAdmin topicAdmin;
    private ProducerIdManager producerIds;
    private MetaProperties meta;
    private volatile boolean shutDown;

    public SkiffBroker(BrokerConfig config) {
        this.config = config;
    }

    public synchronized void start() throws IOException, InterruptedException {
        long startNanos = System.nanoTime();
        int nodeId = config.nodeId();
        List<String> dirs = config.logDirs();
        MetaProperties first = null;
        for (String dir : dirs) {
            MetaProperties m = MetaProperties.loadOrCreate(Path.of(dir), nodeId, first == null ? null : first.clusterId);
            if (first != null && !first.clusterId.equals(m.clusterId)) {
                throw new IOException("log directories belong to different clusters: " + first.clusterId + " and "
                    + m.clusterId);
            }
            if (first == null) {
                first = m;
            }
        }
        meta = first;
        metadata = MetadataManager.open(Path.of(dirs.get(0)));
        cluster = new Cluster(config, this::clusterId, this::advertisedEndPoints);
        topicAdmin = new TopicAdmin(config, metadata);
        producerIds = new ProducerIdManager(metadata);
        dispatcher = new ApiDispatcher(config.unstableApiVersionsEnabled());
        for (var handler : Handlers.create(this, dispatcher)) {
            dispatcher.register(handler);
        }
        server = new SkiffServer(config, dispatcher);
        server.start();
        LOG.info("Skiff node {} of cluster {} started in {} ms; advertising {}", nodeId, meta.clusterId,
            (System.nanoTime() - startNanos) / 1_000_000, server.advertisedEndPoints());
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
    public List<io.skiff.broker.network.ApiHandler<?>> apiHandlers() {
        return dispatcher.handlers();
    }

    /** The finalized-features epoch announced in ApiVersions. */
    long finalizedFeaturesEpoch() {
        return metadata.image().offset();
    }

    public MetadataManager metadata() {
        return metadata;
    }

    public void shutdown() {
        synchronized (this) {
            if (shutDown) {
                return;
            }
            shutDown = true;
        }
        LOG.info("Skiff node {} shutting down", config.nodeId());
        if (server != null) {
            server.shutdown();
        }
        if (metadata != null) {
            metadata.close();
        }
        LOG.info("Skiff node {} stopped", config.nodeId());
        stopped.countDown();
    }

    public void awaitShutdown() throws InterruptedException {
        stopped.await();
    }

    /** The one list of API handlers; ApiVersions is computed from it. */
    static final class Handlers {
        private Handlers() {
        }

        static List<io.skiff.broker.network.ApiHandler<?>> create(SkiffBroker broker, ApiDispatcher dispatcher) {
            Cluster cluster = broker.cluster;
            MetadataManager metadata = broker.metadata;
            return List.of(
                new ApiVersionsHandler(dispatcher, broker::finalizedFeaturesEpoch),
                new MetadataHandler(cluster, metadata, broker.topicAdmin),
                new CreateTopicsHandler(broker.topicAdmin, broker.config),
                new DeleteTopicsHandler(broker.topicAdmin),
                new CreatePartitionsHandler(broker.topicAdmin),
                new DescribeTopicPartitionsHandler(cluster, metadata),
                new DescribeClusterHandler(cluster),
                new DescribeConfigsHandler(cluster, metadata),
                new InitProducerIdHandler(broker.producerIds));
        }
    }
}
