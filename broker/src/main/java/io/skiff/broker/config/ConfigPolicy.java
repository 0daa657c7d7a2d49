package io.skiff.broker.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * What Skiff does with each configuration key it may be given, with the reason. Every key is
 * one of:
 *
 * <ul>
 *   <li>{@link Treatment#HONOURED}: defined in {@link BrokerConfig#DEF} and acted on (some only
 *       within limits a single node can meet; beyond them start-up stops);
 *   <li>{@link Treatment#CHECKED}: one of Apache Kafka's keys that a single node has no use for,
 *       read only to make sure it asks for nothing Skiff cannot give (this node as its own
 *       quorum, no authorizer, ...); otherwise start-up stops;
 *   <li>{@link Treatment#IGNORED}: harmless to ignore (tuning Skiff does its own way, features
 *       whose absence weakens nothing); one WARN line names the key, never the value. Keys
 *       Skiff does not know at all are treated so too;
 *   <li>{@link Treatment#REFUSED}: ignoring it would weaken safety or correctness (TLS, SASL,
 *       ZooKeeper, config providers), so start-up stops with a message naming the key and why.
 * </ul>
 *
 * <p>The rules are data: {@link ConfigTable} prints them as the table in the broker's README,
 * and a test keeps the two equal. Values of secrets ({@link #isSecret}) are never shown.
 * Immutable and thread-safe.
 */
public final class ConfigPolicy {
    /** What Skiff does with a key. */
    public enum Treatment {
        HONOURED("honoured"),
        CHECKED("checked"),
        IGNORED("ignored"),
        REFUSED("refused");

        /** The word the README's table uses. */
        public final String label;

        Treatment(String label) {
            this.label = label;
        }
    }

    /** The rule of one key, or of a family of keys ({@code *} matches any characters). Immutable. */
    public static final class Rule {
        /** The key, or a pattern with {@code *} wildcards. */
        public final String key;

        public final Treatment treatment;
        /** What the README says about the key; null for a plain honoured key. */
        public final String note;
        /** Why a value is refused; null when every value is accepted. */
        final String refusal;

        private final Predicate<String> acceptable;
        private final Pattern pattern;

        Rule(String key, Treatment treatment, String note, Predicate<String> acceptable, String refusal) {
            this.key = key;
            this.treatment = treatment;
            this.note = note;
            this.acceptable = acceptable;
            this.refusal = refusal;
            this.pattern = key.indexOf('*') < 0 ? null : glob(key);
        }

        /** Whether this rule covers a family of keys. */
        public boolean isPattern() {
            return pattern != null;
        }

        boolean matches(String name) {
            return pattern == null ? key.equals(name) : pattern.matcher(name).matches();
        }

        /** Whether {@code value} may be used; a refused key accepts none. */
        public boolean accepts(String value) {
            if (treatment == Treatment.REFUSED) {
                return false;
            }
            return acceptable == null || acceptable.test(value == null ? "" : value.trim());
        }

        /** The exception for an unacceptable value of {@code name} (which this rule covers). */
        ConfigException refuse(String name, String value) {
            return new ConfigException(name, value, refusal);
        }

        private static Pattern glob(String key) {
            StringBuilder regex = new StringBuilder();
            for (String part : key.split("\\*", -1)) {
                if (regex.length() > 0) {
                    regex.append(".*");
                }
                regex.append(Pattern.quote(part));
            }
            return Pattern.compile(regex.toString());
        }
    }

    /** The rule of a key Skiff does not know. */
    public static final Rule UNKNOWN =
            new Rule("*", Treatment.IGNORED, "one WARN line naming the key (never its value)", null, null);

    private static final String NO_PLUGINS = "Skiff cannot load plug-in classes, so clients would not be"
            + " authenticated or encrypted as the class intends; remove the key and use Skiff's built-in TLS and SASL";
    private static final Set<String> SECURITY_PROTOCOLS = Set.of("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL");
    private static final String DEFAULT_PRINCIPAL_BUILDER =
            "org.apache.kafka.common.security.authenticator.DefaultKafkaPrincipalBuilder";
    private static final String TRANSACTION_TUNING =
            "tuning of Kafka's transaction coordinator and produce verification; Skiff's are tuned their own way";
    private static final String NO_QUOTAS = "no replication quotas: one node replicates nothing";
    private static final String NO_SINGLE_NODE_USE = "a single node registers with no controller";

    /** Names of Apache Kafka 4.3.1's PASSWORD-typed keys whose names do not say so. */
    private static final List<String> SECRET_SUFFIXES = List.of("ssl.truststore.certificates");

    private static final List<String> SECRET_WORDS =
            List.of("password", "secret", "jaas", "key", "credential", "passphrase");

    private static final Map<String, Rule> EXACT = new LinkedHashMap<>();
    private static final List<Rule> PATTERNS = new ArrayList<>();

    static {
        honouredRules();
        authorizerRules();
        checkedRules();
        ignoredBrokerConfigRules();
        ignoredRules();
        refusedRules();
        for (Rule r : EXACT.values()) {
            boolean defined = BrokerConfig.DEF.key(r.key) != null;
            if (r.treatment == Treatment.HONOURED && !defined || r.treatment == Treatment.CHECKED && defined) {
                throw new IllegalStateException("rule of " + r.key + " does not fit its definition");
            }
        }
    }

    private ConfigPolicy() {}

    /**
     * The rule of {@code key}: its own, else honoured when {@link BrokerConfig#DEF} defines it,
     * else the most specific pattern that matches, else {@link #UNKNOWN}.
     */
    public static Rule ruleFor(String key) {
        Rule exact = EXACT.get(key);
        if (exact != null) {
            return exact;
        }
        if (BrokerConfig.DEF.key(key) != null) {
            return new Rule(key, Treatment.HONOURED, null, null, null);
        }
        Rule best = null;
        for (Rule r : PATTERNS) {
            if (r.matches(key) && (best == null || r.key.length() > best.key.length())) {
                best = r;
            }
        }
        return best != null ? best : UNKNOWN;
    }

    /** Every rule: one per key of {@link BrokerConfig#DEF}, then the others, then the patterns. */
    public static List<Rule> rules() {
        List<Rule> out = new ArrayList<>();
        for (ConfigDef.Key k : BrokerConfig.DEF.keys()) {
            out.add(ruleFor(k.name));
        }
        for (Rule r : EXACT.values()) {
            if (BrokerConfig.DEF.key(r.key) == null) {
                out.add(r);
            }
        }
        out.addAll(PATTERNS);
        return Collections.unmodifiableList(out);
    }

    /**
     * Whether the value of {@code key} is a secret that no message or log line may show: a defined
     * key (also under a {@code listener.name.} prefix) when its type is PASSWORD; another when its name says password, secret, jaas, key, credential or passphrase,
     * or it is one of Kafka's PASSWORD keys (also under a {@code listener.name.} prefix).
     */
    public static boolean isSecret(String key) {
        if (key == null) {
            return false;
        }
        ConfigDef.Key def = BrokerConfig.DEF.key(key);
        if (def == null && key.startsWith(SecurityConfigs.LISTENER_PREFIX)) {
            String rest = key.substring(SecurityConfigs.LISTENER_PREFIX.length());
            int dot = rest.indexOf('.');
            def = dot > 0 ? BrokerConfig.DEF.key(rest.substring(dot + 1)) : null;
        }
        if (def != null) {
            return def.type == ConfigDef.Type.PASSWORD;
        }
        String name = key.toLowerCase(Locale.ROOT);
        for (String word : SECRET_WORDS) {
            if (name.contains(word)) {
                return true;
            }
        }
        for (String suffix : SECRET_SUFFIXES) {
            if (name.endsWith(suffix)) {
                return true;
            }
        }
        return false;
    }

    // ---------------------------------------------------------------------------------------------
    // the rules

    private static void honouredRules() {
        honour(
                BrokerConfig.NODE_ID,
                "Kafka has no default; Skiff uses 1 when neither node.id nor broker.id is set."
                        + " Must match meta.properties in every log directory");
        honour(
                BrokerConfig.LISTENERS,
                "Kafka has no default. Listeners named in controller.listener.names are not"
                        + " bound; PLAINTEXT, SSL, SASL_PLAINTEXT and SASL_SSL listeners are served, one whose TLS or"
                        + " SASL settings are incomplete stops start-up");
        honour(
                BrokerConfig.ADVERTISED_LISTENERS,
                "listeners named in controller.listener.names are not advertised to"
                        + " clients (as in Kafka); Metadata answers with the endpoint of the listener the client came"
                        + " in on");
        honour(BrokerConfig.LISTENER_SECURITY_PROTOCOL_MAP, "every protocol of Kafka's is served");
        honour(
                BrokerConfig.SKIFF_METRICS_LISTENER,
                "Skiff's own: Kafka's meters in the Prometheus text format at http://host:port/metrics,"
                        + " named as the Prometheus JMX exporter's Kafka rules name them; a port that cannot be"
                        + " bound stops start-up");
        honour(
                BrokerConfig.SKIFF_LOG_FLUSH_THREADS_PER_DATA_DIR,
                "Skiff's own: the threads that fsync each log dir's partitions, so that fsyncs of different"
                        + " partitions overlap (skiff.log.durability=fsync, flush.messages, flush.ms, rolls)");
        honour(
                BrokerConfig.SKIFF_METRICS_JMX_ENABLE,
                "Skiff's own: Kafka's meters as MBeans under Kafka's ObjectNames, with the attributes of"
                        + " Kafka's (for JMX clients and the JMX exporter's agent); Kafka always registers them");
        honour(
                BrokerConfig.CONTROLLER_LISTENER_NAMES,
                "these listeners are not served to clients; with several controller.quorum.voters, the one at this"
                        + " node's voter address is where Apache Ratis binds. Nothing answers tools that use"
                        + " --bootstrap-controller");
        honour(BrokerConfig.LOG_DIR, "Kafka's default is /tmp/kafka-logs");
        quorumRules();
        honour(BrokerConfig.LOG_DIRS, "the first directory also holds the cluster metadata");
        honouredWithin(
                BrokerConfig.DEFAULT_REPLICATION_FACTOR,
                ConfigPolicy::atMostOne,
                "refused above 1 on a single node, which holds one replica of each partition; a cluster's new topics"
                        + " get this many replicas",
                "a single node holds one replica of each partition, so every topic created without a replication factor"
                        + " would be refused with INVALID_REPLICATION_FACTOR; set it to 1 or remove the key");
        honour(
                "transaction.state.log.min.isr",
                "the min.insync.replicas of __transaction_state when it is created, capped at 1: a single node"
                        + " holds one replica");
        honouredWithin(
                "min.insync.replicas",
                ConfigPolicy::atMostOne,
                "refused above 1 on a single node, which holds one replica, and Kafka 4.3.1 would silently"
                        + " acknowledge acks=all produces with that one; in a cluster acks=all needs this many in-sync"
                        + " replicas (capped at the replica count, as Kafka 4.x caps it). Changed dynamically only on a"
                        + " single node (to 1)",
                "a single node holds one replica of each partition, so no acks=all produce can be written to that many"
                        + " replicas (Apache Kafka 4.3.1 would silently acknowledge it with one); set it to 1 or remove the key");
    }

    private static void quorumRules() {
        honour(
                QuorumConfig.PROCESS_ROLES,
                "broker,controller or unset: every Skiff node is both; broker or controller alone is refused");
        honour(
                QuorumConfig.QUORUM_VOTERS,
                "unset or naming this node alone: a single-node quorum in a local file; naming several nodes (this"
                        + " one among them, its address a controller listener of listeners): the metadata is replicated"
                        + " among them by Apache Ratis, peer ids being node ids");
        honour(
                QuorumConfig.QUORUM_BOOTSTRAP_SERVERS,
                "with several voters, accepted (the voters form the quorum); otherwise unset or this node's own"
                        + " controller listener");
        honour(
                QuorumConfig.METADATA_LOG_DIR,
                "with several voters, where the Ratis log and snapshots live (default: the first log directory);"
                        + " otherwise unset or the first log directory");
        honour(
                QuorumConfig.BROKER_HEARTBEAT_INTERVAL_MS,
                "with several voters, how often this broker heartbeats to the active controller");
        honour(
                QuorumConfig.BROKER_SESSION_TIMEOUT_MS,
                "with several voters, the active controller fences a broker after this long without a heartbeat");
        honour(
                QuorumConfig.BROKER_RACK,
                "with several voters, registered with the broker and reported by Metadata and DescribeCluster; a single"
                        + " node reports none");
    }

    private static void authorizerRules() {
        honouredWithin(
                BrokerConfig.AUTHORIZER_CLASS_NAME,
                v -> v.isEmpty() || BrokerConfig.AUTHORIZER_CLASS_NAMES.contains(v),
                "empty (no authorizer: everything is allowed and the ACL APIs answer SECURITY_DISABLED), or"
                        + " org.apache.kafka.metadata.authorizer.StandardAuthorizer or Skiff's own name for it,"
                        + " io.skiff.broker.security.authz.AclAuthorizer: Skiff's built-in authorizer with Kafka's"
                        + " semantics over the ACLs in the metadata log. Any other class is refused",
                "Skiff cannot load authorizer plug-ins, so ACLs would not be enforced as that class would; use"
                        + " org.apache.kafka.metadata.authorizer.StandardAuthorizer (Skiff's built-in authorizer with"
                        + " Kafka's semantics) or remove the key");
        honouredWithin(
                BrokerConfig.SUPER_USERS,
                ConfigPolicy::principalList,
                "principals as Type:name separated by semicolons; used by the authorizer",
                "expected principals as Type:name separated by semicolons, e.g. User:admin;User:alice");
        honour(BrokerConfig.ALLOW_EVERYONE_IF_NO_ACL_FOUND, "used by the authorizer, as in Kafka");
    }

    private static boolean principalList(String value) {
        for (String part : value.split(";")) {
            String p = part.trim();
            if (!p.isEmpty() && p.indexOf(':') <= 0) {
                return false;
            }
        }
        return true;
    }

    private static void checkedRules() {
        checked("inter.broker.listener.name", "must name one of listeners: there is no other broker to talk to");
        checkedValue(
                "security.inter.broker.protocol",
                v -> v.isEmpty() || SECURITY_PROTOCOLS.contains(v.toUpperCase(Locale.ROOT)),
                "one of Kafka's security protocols; a single node opens no connection to another broker",
                "names no security protocol (PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL)");
        checkedValue(
                "principal.builder.class",
                v -> v.isEmpty() || v.equals(DEFAULT_PRINCIPAL_BUILDER),
                "unset or Kafka's DefaultKafkaPrincipalBuilder: principals are User:<SASL name> or the mapped"
                        + " certificate name",
                "Skiff cannot run a custom principal builder, so clients would act as other principals than the"
                        + " builder says; remove the key");
        checkedValue(
                "create.topic.policy.class.name",
                String::isEmpty,
                "refused unless empty",
                "Skiff cannot run topic creation policies, so topics the policy forbids would be created; remove the key");
        checkedValue(
                "alter.config.policy.class.name",
                String::isEmpty,
                "refused unless empty",
                "Skiff cannot run config alteration policies, so changes the policy forbids would be made; remove the key");
        checkedValue(
                "remote.log.storage.system.enable",
                v -> v.isEmpty() || v.equalsIgnoreCase("false"),
                "refused when true: no tiered storage",
                "Skiff has no tiered storage, so no segment would reach remote"
                        + " storage; remove the key or set it to false");
        checkedValue(
                "cordoned.log.dirs",
                String::isEmpty,
                "refused unless empty",
                "Skiff cannot keep new partitions off cordoned directories, so data would be placed on a disk that is"
                        + " being taken out; remove the key (and the directory from log.dirs once it holds nothing)");
        checkedValue(
                "zookeeper.metadata.migration.enable",
                v -> v.isEmpty() || v.equalsIgnoreCase("false"),
                "refused when true",
                "ZooKeeper migration is not supported; remove the key");
    }

    private static void ignoredBrokerConfigRules() {
        ignore(
                SecurityConfigs.CONNECTIONS_MAX_REAUTH_MS,
                "re-authentication (KIP-368) is not served yet: SASL sessions last as long as their connection");
        ignore(BrokerConfig.NUM_IO_THREADS, "reported by DescribeConfigs; blocking work runs on Skiff's own threads");
        ignore("log.preallocate", "reported by DescribeConfigs; segment files grow as they are written");
        ignore("log.local.retention.ms", "no tiered storage: the local retention is the retention");
        ignore("log.local.retention.bytes", "no tiered storage: the local retention is the retention");
        honour(
                "unclean.leader.election.enable",
                "in a cluster, a partition whose in-sync replicas are all fenced elects another live replica, losing"
                        + " data (logged); on a single node the only replica is always in sync. The topic's value"
                        + " wins; read when a broker is fenced");
        ignore("offsets.commit.timeout.ms", "an offset commit completes when its append does");
        ignore(
                "offsets.topic.replication.factor",
                "__consumer_offsets gets one replica whatever this says: a single"
                        + " node has no more (Kafka would not create it with 3 and groups would never work)");
        ignore(
                "transaction.state.log.replication.factor",
                "__transaction_state gets one replica whatever this says: a single"
                        + " node has no more (Kafka would not create it with 3 and transactions would never work)");
    }

    private static void ignoredRules() {
        ignore("num.recovery.threads.per.data.dir", "recovery runs on Skiff's own threads");
        ignore("background.threads", "Skiff sizes its own background threads");
        ignore("queued.max.requests", "Skiff bounds the requests in flight per connection");
        ignore("queued.max.request.bytes", "Skiff bounds the requests in flight per connection");
        honour(
                BrokerConfig.NUM_REPLICA_FETCHERS,
                "fetcher connections per source broker; partitions are spread by hash");
        honour(BrokerConfig.REPLICA_FETCH_MAX_BYTES, "as Kafka: the first batch is returned whole");
        honour(BrokerConfig.REPLICA_LAG_TIME_MAX_MS, "checked by the leader every half of it");
        ignore("num.replica.alter.log.dirs.threads", "partitions are not moved between log directories");
        ignore("replica.*", "not used by Skiff's replica fetchers (which connect over PLAINTEXT, without throttles)");
        ignore("replica.selector.class", "consumers read from the leader (no fetch from follower yet)");
        ignore("log.dir.failure.timeout.ms", "Skiff does not take a failed log directory offline on its own");
        ignore("log.initial.task.delay.ms", "Skiff schedules its own background tasks");
        honour(
                BrokerConfig.AUTO_LEADER_REBALANCE_ENABLE,
                "in a cluster, the active controller moves the leadership of every partition not led by its"
                        + " preferred (first) replica back to it when that replica is live and in the ISR, as Kafka's"
                        + " KRaft controller does; when false the check only logs the imbalance");
        honour(
                BrokerConfig.LEADER_IMBALANCE_CHECK_INTERVAL_SECONDS,
                "how often the active controller checks; each check writes at most 1000 elections in one metadata"
                        + " entry (more follow at once)");
        ignore(
                "leader.imbalance.per.broker.percentage",
                "not a key of Apache Kafka 4.3.1, whose controller rebalances any imbalanced partition whatever"
                        + " the broker's share");
        ignore(
                "unclean.leader.election.interval.ms",
                "an unclean election happens in the decision that fences the broker, not on a timer");
        honour(
                BrokerConfig.CONTROLLED_SHUTDOWN_ENABLE,
                "in a cluster, SIGTERM first writes the broker's controlled shutdown to the metadata quorum: it"
                        + " leaves every ISR (but as the last member) and each partition it leads gets another in-sync"
                        + " leader; the broker waits until it leads nothing (30 s at most, then logs that it gives up),"
                        + " then stops and is fenced. When false, its leaderships move once broker.session.timeout.ms"
                        + " fences it");
        ignore(
                "controlled.shutdown.*",
                "not keys of Apache Kafka 4.3.1 (the retries of its ZooKeeper-era controlled shutdown): Skiff"
                        + " retries the controlled shutdown for up to 30 s");
        ignore(
                "controller.*",
                "tuning of Kafka's KRaft controllers; a single node is its own controller, a replicated quorum is"
                        + " Apache Ratis, tuned its own way");
        ignore(
                "metadata.*",
                "on a single node the metadata is one local file in the first log directory; a replicated quorum"
                        + " snapshots every 1000 Ratis log entries");
        ignore("internal.metadata.*", "the cluster metadata is one local file in the first log directory");
        ignore("initial.broker.registration.timeout.ms", NO_SINGLE_NODE_USE);
        ignore("early.start.listeners", "every listener starts once the logs are loaded");
        ignore("server.max.startup.time.ms", "start-up is not timed out");
        ignore("group.coordinator.*", "Skiff's group coordinator is tuned its own way");
        ignore("group.coordinator.rebalance.protocols", "both the classic and the consumer group protocols are served");
        ignore("group.consumer.*", "not used by Skiff's group coordinator yet");
        ignore("group.share.*", "no share groups (KIP-932) yet");
        ignore("share.*", "no share groups (KIP-932) yet");
        ignore("group.streams.*", "no streams groups (KIP-1071) yet");
        ignore("transaction.*", TRANSACTION_TUNING);
        ignore("add.partitions.to.txn.*", "the produce path verifies transactions with this node's coordinator");
        ignore("producer.id.expiration.check.interval.ms", "idle producer ids are expired on Skiff's own schedule");
        ignore("*.purgatory.purge.interval.requests", "Skiff's purgatories need no purging");
        ignore("max.incremental.fetch.session.cache.slots", "Skiff keeps up to 1000 fetch sessions");
        ignore("client.quota.callback.class", "quotas are Kafka's own (user, client-id and IP entities); no plug-in");
        ignore("*.quota.window.*", NO_QUOTAS);
        ignore("security.providers", "Skiff uses the JDK's and OpenSSL's providers");
        ignore("delegation.token.*", "no delegation tokens yet");
        ignore("ssl.*", "not a TLS setting Skiff uses: the JDK's and OpenSSL's defaults apply");
        ignore("ssl.allow.dn.changes", "a reloaded key store may change the certificate's names");
        ignore("ssl.allow.san.changes", "a reloaded key store may change the certificate's names");
        ignore("sasl.*", "not a SASL setting Skiff uses");
        ignore("sasl.jaas.config", "brokers read listener.name.<listener>.<mechanism>.sasl.jaas.config, as Kafka's do");
        ignore("sasl.mechanism.inter.broker.protocol", "a single node opens no connection to another broker");
        ignore("sasl.login.*", "a single node logs in to no other broker");
        ignore("sasl.client.callback.handler.class", "a single node logs in to no other broker");
        ignore("sasl.kerberos.*", "GSSAPI (Kerberos) is not offered; enabling it stops start-up");
        ignore("remote.*", "no tiered storage");
        ignore("follower.fetch.last.tiered.offset.enable", "no tiered storage");
        ignore("metric.reporters", "no metrics reporters yet");
        ignore("metrics.*", "no metrics reporters yet");
        ignore("kafka.metrics.*", "no metrics reporters yet");
        ignore("telemetry.max.bytes", "no client telemetry (KIP-714)");
        ignore("offsets.load.buffer.size", "the group coordinator replays its partitions batch by batch");
        ignore("offsets.topic.compression.codec", "offset commits are stored uncompressed");
        ignore("unstable.feature.versions.enable", "features are announced at fixed levels");
        ignore(
                "socket.connection.setup.timeout.*",
                "replica fetchers connect within 10 s and retry after replica.fetch.backoff.ms");
        ignore(
                "request.timeout.ms",
                "a replica fetcher reconnects when a request is unanswered 30 s beyond its replica.fetch.wait.max.ms");
        ignore("fetch.max.bytes", "a fetch answer is bounded by the client's own maximum");
        ignore("max.request.partition.size.limit", "no limit on the partitions of one request yet");
        ignore("zookeeper.*", "ZooKeeper is not used");
        ignore("listener.name.*", "per-listener overrides other than TLS and SASL ones are not applied yet");
    }

    private static void refusedRules() {
        add(new Rule(
                "listener.name.*.ssl.*",
                Treatment.HONOURED,
                "the ssl.* key for that listener; it wins over the broker-wide one",
                null,
                null));
        add(new Rule(
                "listener.name.*.sasl.*",
                Treatment.HONOURED,
                "the sasl.* key for that listener, and <mechanism>.sasl.jaas.config: the JAAS configuration of"
                        + " a mechanism (PLAIN users as user_<name>=\"<password>\")",
                null,
                null));
        add(new Rule(
                "listener.name.*.max.connections",
                Treatment.HONOURED,
                "the most connections that listener accepts at once, within the broker-wide max.connections",
                null,
                null));
        add(new Rule(
                "listener.name.*.max.connection.creation.rate",
                Treatment.HONOURED,
                "the most new connections per second that listener accepts, within the broker-wide rate",
                null,
                null));
        refuse("ssl.engine.factory.class", NO_PLUGINS);
        refuse("sasl.server.callback.handler.class", NO_PLUGINS);
        refuse("listener.name.*.sasl.server.callback.handler.class", NO_PLUGINS);
        refuse(
                "delegation.token.secret.key",
                "Skiff does not support delegation tokens yet, so tokens would not be accepted; remove the key");
        refuse(
                "zookeeper.connect",
                "ZooKeeper mode is not supported (nor is it by Apache Kafka 4); remove the key"
                        + " and configure the node as a KRaft single node");
        refuse(
                "config.providers",
                "Skiff cannot resolve ${provider:...} references, so they would be used as literal"
                        + " values; write the values themselves and remove the key");
        refuse(
                "config.providers.*",
                "Skiff cannot resolve ${provider:...} references, so they would be used as"
                        + " literal values; write the values themselves and remove the key");
        List<String> own = new ArrayList<>();
        for (ConfigDef.Key k : BrokerConfig.DEF.keys()) {
            if (k.name.startsWith("skiff.")) {
                own.add(k.name);
            }
        }
        refuse(
                "skiff.*",
                "not a Skiff setting, and a misspelt one would silently be lost; Skiff's own settings are "
                        + String.join(", ", own) + "; correct it or remove the key");
    }

    /**
     * Keys whose value limit holds on a single node only: {@link BrokerConfig} applies their rule
     * once it knows the node is no cluster's (a replicated quorum takes any valid value).
     */
    static final Set<String> SINGLE_NODE_LIMITS =
            Set.of(BrokerConfig.DEFAULT_REPLICATION_FACTOR, "min.insync.replicas");

    private static void honour(String key, String note) {
        add(new Rule(key, Treatment.HONOURED, note, null, null));
    }

    private static void honouredWithin(String key, Predicate<String> acceptable, String note, String refusal) {
        add(new Rule(key, Treatment.HONOURED, note, acceptable, refusal));
    }

    private static void checked(String key, String note) {
        add(new Rule(key, Treatment.CHECKED, note, null, null));
    }

    private static void checkedValue(String key, Predicate<String> acceptable, String note, String refusal) {
        add(new Rule(key, Treatment.CHECKED, note, acceptable, refusal));
    }

    private static void ignore(String key, String note) {
        add(new Rule(key, Treatment.IGNORED, note, null, null));
    }

    private static void refuse(String key, String reason) {
        add(new Rule(key, Treatment.REFUSED, reason, null, reason));
    }

    private static void add(Rule rule) {
        boolean fresh = rule.isPattern()
                ? PATTERNS.stream().noneMatch(r -> r.key.equals(rule.key))
                : !EXACT.containsKey(rule.key);
        if (!fresh) {
            throw new IllegalStateException("two rules for " + rule.key);
        }
        if (rule.isPattern()) {
            PATTERNS.add(rule);
        } else {
            EXACT.put(rule.key, rule);
        }
    }

    private static boolean atMostOne(String value) {
        try {
            return Integer.parseInt(value) <= 1;
        } catch (NumberFormatException e) {
            return true; // BrokerConfig.DEF reports the malformed value
        }
    }
}
