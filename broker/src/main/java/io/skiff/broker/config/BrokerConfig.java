package io.skiff.broker.config;

import static io.skiff.broker.config.ConfigDef.Type.BOOLEAN;
import static io.skiff.broker.config.ConfigDef.Type.INT;
import static io.skiff.broker.config.ConfigDef.Type.LIST;
import static io.skiff.broker.config.ConfigDef.Type.LONG;
import static io.skiff.broker.config.ConfigDef.Type.SHORT;
import static io.skiff.broker.config.ConfigDef.Type.STRING;
import static io.skiff.broker.config.ConfigDef.atLeast;
import static io.skiff.broker.config.ConfigDef.between;
import static io.skiff.broker.config.ConfigDef.oneOf;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's static configuration: Apache Kafka's property names and defaults, parsed and
 * validated once at start-up. What happens to each key is {@link ConfigPolicy}'s: keys that are
 * harmless to ignore (and unknown keys) get one WARN line naming the key; keys and values a
 * single Skiff node cannot honour without weakening safety, and invalid values, throw a
 * {@link ConfigException} naming the key and the value (never the value of a secret); the checks
 * that span several keys are {@link SingleNodeChecks}'. {@link #withDynamic} gives a view with the
 * dynamic broker configs of the metadata log on top (what {@link DynamicBrokerConfig} keeps); the
 * static values, {@link #originals()} and the listeners stay those of the properties. Immutable and
 * thread-safe.
 *
 * <p>Two defaults differ from Apache Kafka's on purpose, so that {@code bin/skiff-server} with no
 * arguments is a usable single node: {@code listeners} is {@code PLAINTEXT://localhost:9092} and
 * {@code log.dir} is {@code ./data}; and {@code node.id} defaults to 1 when neither it nor
 * {@code broker.id} is set.
 */
public final class BrokerConfig {
    private static final Logger LOG = LoggerFactory.getLogger(BrokerConfig.class);

    public static final String NODE_ID = "node.id";
    public static final String BROKER_ID = "broker.id";
    public static final String LISTENERS = "listeners";
    public static final String ADVERTISED_LISTENERS = "advertised.listeners";
    public static final String LISTENER_SECURITY_PROTOCOL_MAP = "listener.security.protocol.map";
    public static final String CONTROLLER_LISTENER_NAMES = "controller.listener.names";
    public static final String LOG_DIRS = "log.dirs";
    public static final String LOG_DIR = "log.dir";
    public static final String NUM_PARTITIONS = "num.partitions";
    public static final String DEFAULT_REPLICATION_FACTOR = "default.replication.factor";
    public static final String NUM_REPLICA_FETCHERS = "num.replica.fetchers";
    public static final String REPLICA_FETCH_MAX_BYTES = "replica.fetch.max.bytes";
    public static final String REPLICA_FETCH_RESPONSE_MAX_BYTES = "replica.fetch.response.max.bytes";
    public static final String REPLICA_FETCH_WAIT_MAX_MS = "replica.fetch.wait.max.ms";
    public static final String REPLICA_FETCH_MIN_BYTES = "replica.fetch.min.bytes";
    public static final String REPLICA_FETCH_BACKOFF_MS = "replica.fetch.backoff.ms";
    public static final String REPLICA_LAG_TIME_MAX_MS = "replica.lag.time.max.ms";
    public static final String AUTO_LEADER_REBALANCE_ENABLE = "auto.leader.rebalance.enable";
    public static final String CONTROLLED_SHUTDOWN_ENABLE = "controlled.shutdown.enable";
    public static final String LEADER_IMBALANCE_CHECK_INTERVAL_SECONDS = "leader.imbalance.check.interval.seconds";
    public static final String AUTO_CREATE_TOPICS_ENABLE = "auto.create.topics.enable";
    public static final String DELETE_TOPIC_ENABLE = "delete.topic.enable";
    public static final String SOCKET_REQUEST_MAX_BYTES = "socket.request.max.bytes";
    public static final String SOCKET_SEND_BUFFER_BYTES = "socket.send.buffer.bytes";
    public static final String SOCKET_RECEIVE_BUFFER_BYTES = "socket.receive.buffer.bytes";
    public static final String SOCKET_LISTEN_BACKLOG_SIZE = "socket.listen.backlog.size";
    public static final String MESSAGE_MAX_BYTES = "message.max.bytes";
    public static final String NUM_NETWORK_THREADS = "num.network.threads";
    public static final String NUM_IO_THREADS = "num.io.threads";
    public static final String CONNECTIONS_MAX_IDLE_MS = "connections.max.idle.ms";
    public static final String UNSTABLE_API_VERSIONS_ENABLE = "unstable.api.versions.enable";
    public static final String SKIFF_LOG_DURABILITY = "skiff.log.durability";
    public static final String SKIFF_LOG_FLUSH_THREADS_PER_DATA_DIR = "skiff.log.flush.threads.per.data.dir";
    /** Where the Prometheus endpoint listens ({@code http://host:port}); unset: no endpoint. */
    public static final String SKIFF_METRICS_LISTENER = "skiff.metrics.listener";
    /** Whether Kafka's meters are MBeans under Kafka's ObjectNames. */
    public static final String SKIFF_METRICS_JMX_ENABLE = "skiff.metrics.jmx.enable";

    public static final String MAX_CONNECTIONS = "max.connections";
    public static final String MAX_CONNECTIONS_PER_IP = "max.connections.per.ip";
    public static final String MAX_CONNECTIONS_PER_IP_OVERRIDES = "max.connections.per.ip.overrides";
    public static final String MAX_CONNECTION_CREATION_RATE = "max.connection.creation.rate";
    public static final String QUOTA_WINDOW_NUM = "quota.window.num";
    public static final String QUOTA_WINDOW_SIZE_SECONDS = "quota.window.size.seconds";
    public static final String AUTHORIZER_CLASS_NAME = "authorizer.class.name";
    public static final String SUPER_USERS = "super.users";
    public static final String ALLOW_EVERYONE_IF_NO_ACL_FOUND = "allow.everyone.if.no.acl.found";
    /** The values of {@code authorizer.class.name} that turn on Skiff's authorizer: Kafka's class, Skiff's own. */
    public static final List<String> AUTHORIZER_CLASS_NAMES = List.of(
            "org.apache.kafka.metadata.authorizer.StandardAuthorizer", "io.skiff.broker.security.authz.AclAuthorizer");

    public static final String CONTROLLER_QUOTA_WINDOW_NUM = "controller.quota.window.num";
    public static final String CONTROLLER_QUOTA_WINDOW_SIZE_SECONDS = "controller.quota.window.size.seconds";

    static final String DEFAULT_LISTENERS = "PLAINTEXT://localhost:9092";
    static final String DEFAULT_PROTOCOL_MAP =
            "SASL_SSL:SASL_SSL,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT";

    public static final ConfigDef DEF = SecurityConfigs.define(new ConfigDef()
            .define(NODE_ID, INT, "-1", "The node id of this broker.")
            .define(BROKER_ID, INT, "-1", "Synonym of node.id.")
            .define(LISTENERS, STRING, DEFAULT_LISTENERS, "Listeners: NAME://host:port, comma-separated.")
            .define(ADVERTISED_LISTENERS, STRING, null, "Listeners announced to clients; defaults to listeners.")
            .define(LISTENER_SECURITY_PROTOCOL_MAP, STRING, DEFAULT_PROTOCOL_MAP, "Listener name to security protocol.")
            .define(
                    CONTROLLER_LISTENER_NAMES,
                    STRING,
                    null,
                    "Listeners reserved for controllers; Skiff does not bind them.")
            .define(QuorumConfig.PROCESS_ROLES, STRING, null, "The roles of this node: broker,controller.")
            .define(
                    QuorumConfig.QUORUM_VOTERS,
                    STRING,
                    null,
                    "The controllers as id@host:port; more than one makes a replicated (Apache Ratis) quorum.")
            .define(
                    QuorumConfig.QUORUM_BOOTSTRAP_SERVERS,
                    STRING,
                    null,
                    "Controller addresses (host:port); accepted, the voters form the quorum.")
            .define(
                    QuorumConfig.METADATA_LOG_DIR,
                    STRING,
                    null,
                    "Directory of the replicated metadata log; defaults to the first log directory.")
            .define(
                    QuorumConfig.BROKER_HEARTBEAT_INTERVAL_MS,
                    LONG,
                    "2000",
                    atLeast(1),
                    "How often a broker of a replicated quorum heartbeats to the active controller.")
            .define(
                    QuorumConfig.BROKER_SESSION_TIMEOUT_MS,
                    LONG,
                    "9000",
                    atLeast(1),
                    "A broker without a heartbeat for this long is fenced by the active controller.")
            .define(QuorumConfig.BROKER_RACK, STRING, null, "The rack of this broker.")
            .define(LOG_DIRS, STRING, null, "Directories of the partition logs; defaults to log.dir.")
            .define(LOG_DIR, STRING, "./data", "The directory of the partition logs when log.dirs is not set.")
            .define(NUM_PARTITIONS, INT, "1", atLeast(1), "Default number of partitions of a new topic.")
            .define(DEFAULT_REPLICATION_FACTOR, SHORT, "1", "Default replication factor of a new topic.")
            .define(AUTO_CREATE_TOPICS_ENABLE, BOOLEAN, "true", "Create topics on first use.")
            .define(DELETE_TOPIC_ENABLE, BOOLEAN, "true", "Allow topics to be deleted.")
            .define(SOCKET_REQUEST_MAX_BYTES, INT, "104857600", atLeast(1), "Largest request frame accepted.")
            .define(SOCKET_SEND_BUFFER_BYTES, INT, "102400", "SO_SNDBUF; -1 for the OS default.")
            .define(SOCKET_RECEIVE_BUFFER_BYTES, INT, "102400", "SO_RCVBUF; -1 for the OS default.")
            .define(SOCKET_LISTEN_BACKLOG_SIZE, INT, "50", atLeast(1), "Accept backlog.")
            .define(MESSAGE_MAX_BYTES, INT, "1048588", atLeast(0), "Largest record batch accepted.")
            .define(NUM_NETWORK_THREADS, INT, "3", atLeast(1), "Network (event loop) threads.")
            .define(NUM_IO_THREADS, INT, "8", atLeast(1), "Threads for blocking work.")
            .define(CONNECTIONS_MAX_IDLE_MS, LONG, "600000", "Idle connections are closed after this long.")
            .define(UNSTABLE_API_VERSIONS_ENABLE, BOOLEAN, "false", "Offer API versions marked unstable.")
            .define(
                    MAX_CONNECTIONS,
                    INT,
                    Integer.toString(Integer.MAX_VALUE),
                    atLeast(0),
                    "Connections the broker keeps open; beyond it listeners stop accepting until one closes.")
            .define(
                    MAX_CONNECTIONS_PER_IP,
                    INT,
                    Integer.toString(Integer.MAX_VALUE),
                    atLeast(0),
                    "Connections allowed from one IP address; more are closed at once.")
            .define(
                    MAX_CONNECTIONS_PER_IP_OVERRIDES,
                    STRING,
                    "",
                    "Per-IP or hostname overrides of max.connections.per.ip: host:count, comma-separated.")
            .define(
                    MAX_CONNECTION_CREATION_RATE,
                    INT,
                    Integer.toString(Integer.MAX_VALUE),
                    atLeast(0),
                    "New connections accepted per second; faster ones wait.")
            .define(QUOTA_WINDOW_NUM, INT, "11", atLeast(1), "Samples kept for client quotas.")
            .define(QUOTA_WINDOW_SIZE_SECONDS, INT, "1", atLeast(1), "Time span of each client quota sample.")
            .define(AUTHORIZER_CLASS_NAME, STRING, "", "The authorizer; empty for none (everything allowed).")
            .define(
                    SUPER_USERS,
                    STRING,
                    "",
                    "Principals (Type:name, semicolon-separated) the authorizer allows everything.")
            .define(
                    ALLOW_EVERYONE_IF_NO_ACL_FOUND,
                    BOOLEAN,
                    "false",
                    "Whether the authorizer allows actions on resources that have no ACL at all.")
            .define(
                    CONTROLLER_QUOTA_WINDOW_NUM,
                    INT,
                    "11",
                    atLeast(1),
                    "Samples kept for controller mutation quotas (with the size, the burst a client may use at once).")
            .define(
                    CONTROLLER_QUOTA_WINDOW_SIZE_SECONDS,
                    INT,
                    "1",
                    atLeast(1),
                    "Time span of each controller mutation quota sample.")
            .define("log.segment.bytes", INT, "1073741824", atLeast(14), "Segment size.")
            .define("log.roll.hours", INT, "168", atLeast(1), "Roll a segment after this long.")
            .define("log.roll.ms", LONG, null, "Roll a segment after this long; overrides log.roll.hours.")
            .define("log.retention.hours", INT, "168", "Retention by time.")
            .define("log.retention.minutes", INT, null, "Retention by time; overrides log.retention.hours.")
            .define("log.retention.ms", LONG, null, "Retention by time; overrides log.retention.minutes.")
            .define("log.retention.bytes", LONG, "-1", "Retention by size per partition.")
            .define("log.retention.check.interval.ms", LONG, "300000", atLeast(1), "How often retention runs.")
            .define(
                    "log.flush.interval.messages",
                    LONG,
                    Long.toString(Long.MAX_VALUE),
                    atLeast(1),
                    "Flush every N messages.")
            .define("log.flush.interval.ms", LONG, null, "Flush after this long.")
            .define(
                    "log.flush.scheduler.interval.ms",
                    LONG,
                    Long.toString(Long.MAX_VALUE),
                    "How often the flusher checks.")
            .define("log.index.interval.bytes", INT, "4096", atLeast(0), "Bytes between index entries.")
            .define("log.index.size.max.bytes", INT, "10485760", atLeast(4), "Largest index file.")
            .define("log.roll.jitter.hours", INT, "0", atLeast(0), "Roll jitter.")
            .define("log.roll.jitter.ms", LONG, null, "Roll jitter; overrides log.roll.jitter.hours.")
            .define(
                    "log.segment.delete.delay.ms",
                    LONG,
                    "60000",
                    atLeast(0),
                    "Delay before a deleted segment's files are removed.")
            .define("log.preallocate", BOOLEAN, "false", "Preallocate segment files.")
            .define("log.cleaner.enable", BOOLEAN, "true", "Run the log cleaner for compacted topics.")
            .define(
                    "log.cleaner.delete.retention.ms",
                    LONG,
                    "86400000",
                    atLeast(0),
                    "Tombstone retention on compacted topics.")
            .define("log.cleaner.min.compaction.lag.ms", LONG, "0", atLeast(0), "Minimum age before compaction.")
            .define(
                    "log.cleaner.max.compaction.lag.ms",
                    LONG,
                    Long.toString(Long.MAX_VALUE),
                    atLeast(1),
                    "Maximum age before compaction.")
            .define(
                    "log.cleaner.min.cleanable.ratio",
                    ConfigDef.Type.DOUBLE,
                    "0.5",
                    "Dirty ratio that triggers cleaning.")
            .define("log.cleaner.threads", INT, "1", atLeast(0), "Background threads that clean compacted logs.")
            .define(
                    "log.cleaner.dedupe.buffer.size",
                    LONG,
                    "134217728",
                    atLeast(1),
                    "Memory of the cleaners' offset maps, shared among the cleaner threads.")
            .define(
                    "log.cleaner.io.buffer.size",
                    INT,
                    "524288",
                    atLeast(4096),
                    "Read and write buffer memory of the cleaner threads together.")
            .define(
                    "log.cleaner.io.buffer.load.factor",
                    ConfigDef.Type.DOUBLE,
                    "0.9",
                    "How full a cleaner's offset map gets before it cleans what it covers.")
            .define(
                    "log.cleaner.io.max.bytes.per.second",
                    ConfigDef.Type.DOUBLE,
                    "1.7976931348623157E308",
                    "Read plus write rate limit of the cleaner threads.")
            .define(
                    "log.cleaner.backoff.ms",
                    LONG,
                    "15000",
                    atLeast(0),
                    "How long a cleaner thread sleeps when no log needs cleaning.")
            .define("log.local.retention.ms", LONG, "-2", "Local retention by time (tiered storage).")
            .define("log.local.retention.bytes", LONG, "-2", "Local retention by size (tiered storage).")
            .define(
                    "log.flush.offset.checkpoint.interval.ms",
                    INT,
                    "60000",
                    atLeast(0),
                    "Recovery point checkpoint interval.")
            .define(
                    "log.flush.start.offset.checkpoint.interval.ms",
                    INT,
                    "60000",
                    atLeast(0),
                    "Log start offset checkpoint interval.")
            .define("unclean.leader.election.enable", BOOLEAN, "false", "Elect out-of-sync replicas as leaders.")
            .define(
                    CONTROLLED_SHUTDOWN_ENABLE,
                    BOOLEAN,
                    "true",
                    "In a cluster, hand leaderships to other in-sync replicas before shutting down.")
            .define(
                    AUTO_LEADER_REBALANCE_ENABLE,
                    BOOLEAN,
                    "true",
                    "Move leadership back to preferred replicas on the active controller's timer.")
            .define(
                    LEADER_IMBALANCE_CHECK_INTERVAL_SECONDS,
                    LONG,
                    "300",
                    atLeast(1),
                    "How often the active controller checks for partitions not led by their preferred replica.")
            .define(NUM_REPLICA_FETCHERS, INT, "1", atLeast(1), "Fetcher connections per source broker.")
            .define(REPLICA_FETCH_MAX_BYTES, INT, "1048576", atLeast(0), "Bytes a replica fetch asks per partition.")
            .define(REPLICA_FETCH_RESPONSE_MAX_BYTES, INT, "10485760", atLeast(0), "Bytes a replica fetch asks in all.")
            .define(REPLICA_FETCH_WAIT_MAX_MS, INT, "500", atLeast(0), "Longest wait of a replica fetch at the leader.")
            .define(REPLICA_FETCH_MIN_BYTES, INT, "1", atLeast(1), "Bytes a replica fetch waits for.")
            .define(REPLICA_FETCH_BACKOFF_MS, INT, "1000", atLeast(0), "Pause after a failed replica fetch.")
            .define(
                    REPLICA_LAG_TIME_MAX_MS,
                    LONG,
                    "30000",
                    atLeast(1),
                    "A follower not caught up for this long leaves the ISR.")
            .define("compression.gzip.level", INT, "-1", "Level for gzip compression.")
            .define("compression.lz4.level", INT, "9", between(1, 17), "Level for lz4 compression.")
            .define("compression.zstd.level", INT, "3", "Level for zstd compression.")
            .define("log.cleanup.policy", LIST, "delete", oneOf("delete", "compact"), "delete and/or compact.")
            .define(
                    "log.message.timestamp.type",
                    STRING,
                    "CreateTime",
                    oneOf("CreateTime", "LogAppendTime"),
                    "Timestamp type.")
            .define(
                    "log.message.timestamp.before.max.ms",
                    LONG,
                    Long.toString(Long.MAX_VALUE),
                    atLeast(0),
                    "Oldest timestamp accepted.")
            .define("log.message.timestamp.after.max.ms", LONG, "3600000", atLeast(0), "Newest timestamp accepted.")
            .define(
                    "compression.type",
                    STRING,
                    "producer",
                    oneOf("uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"),
                    "Codec of stored batches.")
            .define("min.insync.replicas", INT, "1", atLeast(1), "Replicas that must acknowledge acks=all.")
            .define("offsets.topic.num.partitions", INT, "50", atLeast(1), "Partitions of __consumer_offsets.")
            .define("offsets.topic.replication.factor", SHORT, "3", atLeast(1), "Replication of __consumer_offsets.")
            .define("offsets.topic.segment.bytes", INT, "104857600", atLeast(1), "Segment size of __consumer_offsets.")
            .define("offsets.retention.minutes", INT, "10080", atLeast(1), "Offsets of empty groups expire after this.")
            .define("offsets.retention.check.interval.ms", LONG, "600000", atLeast(1), "How often offsets expire.")
            .define("offsets.commit.timeout.ms", INT, "5000", atLeast(1), "Offset commit timeout.")
            .define("transaction.state.log.num.partitions", INT, "50", atLeast(1), "Partitions of __transaction_state.")
            .define(
                    "transaction.state.log.replication.factor",
                    SHORT,
                    "3",
                    atLeast(1),
                    "Replication of __transaction_state.")
            .define(
                    "transaction.state.log.min.isr",
                    INT,
                    "2",
                    atLeast(1),
                    "min.insync.replicas of __transaction_state.")
            .define(
                    "transaction.state.log.segment.bytes",
                    INT,
                    "104857600",
                    atLeast(1),
                    "Segment size of __transaction_state.")
            .define("transaction.max.timeout.ms", INT, "900000", atLeast(1), "Longest transaction timeout.")
            .define(
                    "transaction.abort.timed.out.transaction.cleanup.interval.ms",
                    INT,
                    "10000",
                    atLeast(1),
                    "How often transactions past their timeout are aborted.")
            .define(
                    "transaction.remove.expired.transaction.cleanup.interval.ms",
                    INT,
                    "3600000",
                    atLeast(1),
                    "How often expired transactional ids are removed.")
            .define(
                    "transactional.id.expiration.ms",
                    INT,
                    "604800000",
                    atLeast(1),
                    "Transactional ids expire after this.")
            .define("producer.id.expiration.ms", INT, "86400000", atLeast(1), "Idle producer ids expire after this.")
            .define(
                    "transaction.partition.verification.enable",
                    BOOLEAN,
                    "true",
                    "Verify with the transaction coordinator before a transactional batch opens a transaction.")
            .define("group.initial.rebalance.delay.ms", INT, "3000", "Delay of the first rebalance of an empty group.")
            .define("group.min.session.timeout.ms", INT, "6000", "Smallest session timeout.")
            .define("group.max.session.timeout.ms", INT, "1800000", "Largest session timeout.")
            .define("group.max.size", INT, Integer.toString(Integer.MAX_VALUE), atLeast(1), "Largest classic group.")
            .define("offset.metadata.max.bytes", INT, "4096", atLeast(0), "Largest metadata of a committed offset.")
            .define(
                    "group.consumer.heartbeat.interval.ms",
                    INT,
                    "5000",
                    atLeast(1),
                    "Heartbeat interval of consumer-protocol members.")
            .define(
                    "group.consumer.session.timeout.ms",
                    INT,
                    "45000",
                    atLeast(1),
                    "Session timeout of consumer-protocol members.")
            .define(
                    "group.consumer.max.size",
                    INT,
                    Integer.toString(Integer.MAX_VALUE),
                    atLeast(1),
                    "Largest consumer group.")
            .define(
                    "group.consumer.assignors",
                    LIST,
                    "uniform,range",
                    "Server-side assignors (the first is the default).")
            .define(
                    "group.consumer.migration.policy",
                    STRING,
                    "bidirectional",
                    oneOf("disabled", "upgrade", "downgrade", "bidirectional"),
                    "Protocol switches allowed for groups.")
            .define(
                    "group.consumer.assignment.interval.ms",
                    INT,
                    "1000",
                    atLeast(0),
                    "Least time between target assignments.")
            .define("group.coordinator.threads", INT, "4", atLeast(1), "Threads of the group coordinator.")
            .define(
                    SKIFF_LOG_DURABILITY,
                    STRING,
                    "flush",
                    oneOf("flush", "fsync"),
                    "flush: Kafka's flush settings; fsync: acknowledge only after fsync (group commit).")
            .define(
                    SKIFF_LOG_FLUSH_THREADS_PER_DATA_DIR,
                    INT,
                    "4",
                    atLeast(1),
                    "Threads that fsync the partitions of each log dir, so that their fsyncs overlap.")
            .define(
                    SKIFF_METRICS_LISTENER,
                    STRING,
                    null,
                    BrokerConfig::checkMetricsListener,
                    "The Prometheus endpoint, http://host:port (path /metrics); unset for none.")
            .define(
                    SKIFF_METRICS_JMX_ENABLE,
                    BOOLEAN,
                    "false",
                    "Register Kafka's meters as MBeans under Kafka's ObjectNames."));

    /** {@code skiff.metrics.listener}: unset, or {@code http://host:port} with a port of 0 to 65535. */
    private static void checkMetricsListener(String key, Object value) {
        if (value == null || value.toString().isBlank()) {
            return;
        }
        String text = value.toString().trim();
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw new ConfigException(key, value, "not a URL; write http://host:port, e.g. http://0.0.0.0:9404");
        }
        if (!"http".equals(uri.getScheme()) || uri.getHost() == null || uri.getPort() < 0 || uri.getPort() > 65535) {
            throw new ConfigException(
                    key, value, "write http://host:port, e.g. http://0.0.0.0:9404 (https is not served)");
        }
        if (uri.getRawPath() != null
                && !uri.getRawPath().isEmpty()
                && !uri.getRawPath().equals("/metrics")) {
            throw new ConfigException(key, value, "the endpoint's path is /metrics; give none");
        }
    }

    private final Map<String, Object> values;
    /** The values of the static configuration (properties and defaults), which dynamic ones are laid on. */
    private final Map<String, Object> staticValues;

    private final Map<String, String> originals;
    /** Dynamic configs of this node ({@code --entity-name <node.id>}), as stored; empty when static. */
    private final Map<String, String> dynamicBroker;
    /** Dynamic cluster defaults ({@code --entity-default}), as stored; empty when static. */
    private final Map<String, String> dynamicDefault;

    private final List<EndPoint> listeners;
    private final QuorumConfig quorum;
    /** The listener other brokers' replica fetchers connect to (see {@link #interBrokerListenerName}). */
    private final String interBrokerListener;

    private final List<EndPoint> advertisedListeners;
    private final Map<String, String> protocolMap;
    /** The honoured {@code listener.name.*} keys as given (their base keys' types checked). */
    private final Map<String, String> listenerOverrides;

    /**
     * Parses {@code props} (file, environment and overrides already merged), applying
     * {@link ConfigPolicy}: ignored and unknown keys get one WARN line naming the key (never the
     * value); a refused key, a value outside what a single node can honour, or an invalid value
     * throws.
     *
     * @throws ConfigException on the first key that cannot be used, in key order
     */
    public BrokerConfig(Map<String, String> props) {
        Map<String, Object> v = new HashMap<>();
        Map<String, String> known = new LinkedHashMap<>();
        Map<String, String> checked = new HashMap<>();
        Map<String, String> perListener = new HashMap<>();
        Map<String, String> singleNodeRefusals = new TreeMap<>();
        for (ConfigDef.Key k : DEF.keys()) {
            v.put(k.name, k.defaultValue);
        }
        for (Map.Entry<String, String> e : new TreeMap<>(props).entrySet()) {
            String key = e.getKey().trim();
            String text = e.getValue();
            ConfigPolicy.Rule rule = ConfigPolicy.ruleFor(key);
            if (rule.treatment == ConfigPolicy.Treatment.REFUSED) {
                throw rule.refuse(key, text);
            }
            if (DEF.key(key) != null) {
                v.put(key, DEF.parse(key, text));
                known.put(key, text);
            }
            if (!rule.accepts(text)) {
                if (!ConfigPolicy.SINGLE_NODE_LIMITS.contains(key)) {
                    throw rule.refuse(key, text);
                }
                singleNodeRefusals.put(key, text);
            }
            if (rule.treatment == ConfigPolicy.Treatment.HONOURED && key.startsWith(SecurityConfigs.LISTENER_PREFIX)) {
                perListener.put(normalizedListenerKey(key), checkListenerValue(key, text));
            }
            if (rule == ConfigPolicy.UNKNOWN) {
                LOG.warn("Ignoring unknown configuration {}", key);
            } else if (rule.treatment == ConfigPolicy.Treatment.IGNORED) {
                LOG.warn("Ignoring configuration {}: {}", key, rule.note);
            } else if (rule.treatment == ConfigPolicy.Treatment.CHECKED) {
                checked.put(key, text);
            }
        }
        this.values = Collections.unmodifiableMap(v);
        this.staticValues = this.values;
        this.originals = Collections.unmodifiableMap(known);
        this.dynamicBroker = Map.of();
        this.dynamicDefault = Map.of();
        this.listenerOverrides = Collections.unmodifiableMap(perListener);
        this.protocolMap = parseProtocolMap(getString(LISTENER_SECURITY_PROTOCOL_MAP));
        List<EndPoint> all = EndPoint.parseList(LISTENERS, getString(LISTENERS), protocolMap);
        Set<String> controllers = controllerListenerNames();
        List<EndPoint> served = new ArrayList<>(all);
        served.removeIf(e -> controllers.contains(e.listenerName));
        if (served.isEmpty()) {
            throw new ConfigException(LISTENERS, getString(LISTENERS), "no broker listener is defined");
        }
        this.listeners = List.copyOf(served);
        String advertised = getString(ADVERTISED_LISTENERS);
        if (advertised == null) {
            this.advertisedListeners = listeners;
        } else {
            // As in Apache Kafka, controller listeners are advertised to controllers, never to clients.
            List<EndPoint> announced = EndPoint.parseList(ADVERTISED_LISTENERS, advertised, protocolMap);
            announced.removeIf(e -> controllers.contains(e.listenerName));
            if (announced.isEmpty()) {
                throw new ConfigException(ADVERTISED_LISTENERS, advertised, "no broker listener is advertised");
            }
            this.advertisedListeners = List.copyOf(announced);
        }
        for (EndPoint a : advertisedListeners) {
            if (a.port == 0 && advertised != null) {
                throw new ConfigException(ADVERTISED_LISTENERS, advertised, "advertised port cannot be 0");
            }
        }
        int nodeId = nodeId();
        if (nodeId < 0) {
            throw new ConfigException(NODE_ID, nodeId, "must be at least 0");
        }
        SingleNodeChecks.check(this, checked, all, controllers);
        this.interBrokerListener = SingleNodeChecks.interBrokerListener(checked);
        if (QuorumConfig.parseVoters(getString(QuorumConfig.QUORUM_VOTERS)).size() <= 1) {
            for (Map.Entry<String, String> e : singleNodeRefusals.entrySet()) {
                throw ConfigPolicy.ruleFor(e.getKey()).refuse(e.getKey(), e.getValue());
            }
        }
        String metadataDir = getString(QuorumConfig.METADATA_LOG_DIR);
        this.quorum = new QuorumConfig(
                nodeId,
                QuorumConfig.parseVoters(getString(QuorumConfig.QUORUM_VOTERS)),
                Path.of(metadataDir == null || metadataDir.isBlank() ? logDirs().get(0) : metadataDir.trim()),
                getLong(QuorumConfig.BROKER_HEARTBEAT_INTERVAL_MS),
                getLong(QuorumConfig.BROKER_SESSION_TIMEOUT_MS));
    }

    /** The metadata quorum of this node (see {@link QuorumConfig}). */
    public QuorumConfig quorum() {
        return quorum;
    }

    private BrokerConfig(
            BrokerConfig base, Map<String, Object> values, Map<String, String> broker, Map<String, String> defaults) {
        this.values = Collections.unmodifiableMap(values);
        this.staticValues = base.staticValues;
        this.originals = base.originals;
        this.dynamicBroker = Collections.unmodifiableMap(new LinkedHashMap<>(broker));
        this.dynamicDefault = Collections.unmodifiableMap(new LinkedHashMap<>(defaults));
        this.listeners = base.listeners;
        this.advertisedListeners = base.advertisedListeners;
        this.protocolMap = base.protocolMap;
        this.listenerOverrides = base.listenerOverrides;
        this.quorum = base.quorum;
        this.interBrokerListener = base.interBrokerListener;
    }

    /**
     * The name of the listener other brokers' replica fetchers connect to: {@code
     * inter.broker.listener.name}, else the one named after {@code security.inter.broker.protocol}
     * (PLAINTEXT by default), as Kafka picks it.
     */
    public String interBrokerListenerName() {
        return interBrokerListener;
    }

    /**
     * This static configuration with dynamic values on top, as Apache Kafka ranks them: a value
     * of this node ({@code broker}) before a cluster default ({@code defaults}) before the
     * properties. Keys {@link #DEF} does not define are kept (so that they can be described) but
     * change nothing. The static configuration is always the base, so calling this on a dynamic
     * view replaces its dynamic values.
     *
     * @throws ConfigException when a value of a defined key does not parse or validate
     */
    public BrokerConfig withDynamic(Map<String, String> broker, Map<String, String> defaults) {
        Map<String, Object> v = new HashMap<>(staticValues);
        for (Map<String, String> layer : List.of(defaults, broker)) {
            for (Map.Entry<String, String> e : layer.entrySet()) {
                if (DEF.key(e.getKey()) != null) {
                    v.put(e.getKey(), DEF.parse(e.getKey(), e.getValue()));
                }
            }
        }
        return new BrokerConfig(this, v, broker, defaults);
    }

    /** The dynamic configs of this node, as stored (unknown keys too); empty for the static configuration. */
    public Map<String, String> dynamicBrokerConfigs() {
        return dynamicBroker;
    }

    /** The dynamic cluster-default configs, as stored; empty for the static configuration. */
    public Map<String, String> dynamicDefaultConfigs() {
        return dynamicDefault;
    }

    /**
     * Checks the value of {@code listener.name.<listener>.<key>} as the value of {@code <key>} would
     * be checked, when {@code <key>} is one of {@link #DEF}'s; returns the value.
     */
    private static String checkListenerValue(String key, String text) {
        String rest = key.substring(SecurityConfigs.LISTENER_PREFIX.length());
        int dot = rest.indexOf('.');
        if (dot > 0 && DEF.key(rest.substring(dot + 1)) != null) {
            try {
                DEF.parse(rest.substring(dot + 1), text);
            } catch (ConfigException e) {
                throw new ConfigException(key, text, e.reason());
            }
        }
        return text;
    }

    /** {@code listener.name.<listener>.<rest>} with the listener name in lower case, as Kafka looks keys up. */
    private static String normalizedListenerKey(String key) {
        String rest = key.substring(SecurityConfigs.LISTENER_PREFIX.length());
        int dot = rest.indexOf('.');
        return dot <= 0
                ? key
                : SecurityConfigs.LISTENER_PREFIX
                        + rest.substring(0, dot).toLowerCase(Locale.ROOT)
                        + rest.substring(dot);
    }

    private Set<String> controllerListenerNames() {
        String names = getString(CONTROLLER_LISTENER_NAMES);
        if (names == null || names.isBlank()) {
            return Set.of();
        }
        Set<String> out = new HashSet<>();
        for (String name : names.split(",")) {
            if (!name.isBlank()) {
                out.add(name.trim().toUpperCase(Locale.ROOT));
            }
        }
        return out;
    }

    private static Map<String, String> parseProtocolMap(String text) {
        Map<String, String> out = new HashMap<>();
        for (String entry : text.split(",")) {
            String s = entry.trim();
            if (s.isEmpty()) {
                continue;
            }
            int colon = s.indexOf(':');
            if (colon <= 0 || colon == s.length() - 1) {
                throw new ConfigException(LISTENER_SECURITY_PROTOCOL_MAP, text, "expected NAME:PROTOCOL pairs");
            }
            String protocol = s.substring(colon + 1).trim().toUpperCase(Locale.ROOT);
            if (!Set.of("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL").contains(protocol)) {
                throw new ConfigException(
                        LISTENER_SECURITY_PROTOCOL_MAP, text, "unknown security protocol " + protocol);
            }
            out.put(s.substring(0, colon).trim().toUpperCase(Locale.ROOT), protocol);
        }
        return out;
    }

    public Object get(String key) {
        if (!values.containsKey(key)) {
            throw new IllegalArgumentException("undefined configuration " + key);
        }
        return values.get(key);
    }

    public int getInt(String key) {
        return ((Number) get(key)).intValue();
    }

    public long getLong(String key) {
        return ((Number) get(key)).longValue();
    }

    public boolean getBoolean(String key) {
        return (Boolean) get(key);
    }

    public double getDouble(String key) {
        return ((Number) get(key)).doubleValue();
    }

    public String getString(String key) {
        Object v = get(key);
        return v == null ? null : v.toString();
    }

    /** The first name of {@code controller.listener.names} ("CONTROLLER" when unset). */
    public String controllerListenerName() {
        String names = getString(CONTROLLER_LISTENER_NAMES);
        if (names == null || names.isBlank()) {
            return "CONTROLLER";
        }
        return names.split(",")[0].trim().toUpperCase(Locale.ROOT);
    }

    @SuppressWarnings("unchecked")
    public List<String> getList(String key) {
        return (List<String>) get(key);
    }

    /** The values set explicitly (file, environment or override), as given. */
    public Map<String, String> originals() {
        return originals;
    }

    public int nodeId() {
        int node = getInt(NODE_ID);
        int broker = getInt(BROKER_ID);
        if (node >= 0 && broker >= 0 && node != broker) {
            throw new ConfigException(NODE_ID, node, "differs from " + BROKER_ID + "=" + broker);
        }
        if (node >= 0) {
            return node;
        }
        return broker >= 0 ? broker : 1;
    }

    public List<EndPoint> listeners() {
        return listeners;
    }

    /**
     * The value of {@code key} for one listener: {@code listener.name.<listener>.<key>} where it is
     * set (parsed as {@code key}), else the value of {@code key} itself.
     */
    public Object listenerValue(String listenerName, String key) {
        String override = listenerOverrides.get(SecurityConfigs.listenerKey(listenerName, key));
        return override != null ? DEF.parse(key, override) : get(key);
    }

    /** {@link #listenerValue} as a string (null when unset). */
    public String listenerString(String listenerName, String key) {
        Object v = listenerValue(listenerName, key);
        return v == null ? null : v.toString();
    }

    /** {@link #listenerValue} of a list key. */
    @SuppressWarnings("unchecked")
    public List<String> listenerList(String listenerName, String key) {
        return (List<String>) listenerValue(listenerName, key);
    }

    /** A per-listener key that has no broker-wide form (a mechanism's JAAS configuration), or null. */
    public String listenerOnly(String fullKey) {
        return listenerOverrides.get(fullKey);
    }

    /**
     * Listeners announced to clients (controller listeners left out); a port of 0 means "the
     * port actually bound".
     */
    public List<EndPoint> advertisedListeners() {
        return advertisedListeners;
    }

    public List<String> logDirs() {
        String dirs = getString(LOG_DIRS);
        String s = dirs != null ? dirs : getString(LOG_DIR);
        return List.of(s.trim().split("\\s*,\\s*"));
    }

    public int socketRequestMaxBytes() {
        return getInt(SOCKET_REQUEST_MAX_BYTES);
    }

    public int messageMaxBytes() {
        return getInt(MESSAGE_MAX_BYTES);
    }

    /** Whether {@code authorizer.class.name} turns on Skiff's authorizer. */
    public boolean authorizerEnabled() {
        String name = getString(AUTHORIZER_CLASS_NAME);
        return name != null && AUTHORIZER_CLASS_NAMES.contains(name.trim());
    }

    public boolean unstableApiVersionsEnabled() {
        return getBoolean(UNSTABLE_API_VERSIONS_ENABLE);
    }
}
