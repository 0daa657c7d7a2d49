package io.skiff.compat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Skiff's authorizer driven by Kafka's own {@code kafka-acls.sh} (AclCommand) over a SASL PLAIN
 * listener: a user with no ACL may not produce, consume, create or even see a topic; ACLs added by
 * the tool (literal and prefixed, {@code --producer} and {@code --consumer} shortcuts) let exactly
 * what they name; a DENY beats an ALLOW (and, cancelling a user's only WRITE, also its idempotent
 * producer's InitProducerId, as Kafka decides it by resource type); removed ACLs stop applying; ACLs survive a restart; a
 * super user may do everything. Each test uses its own user and topic names.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class AclCompatTest {
    private static final String ACL_COMMAND = "org.apache.kafka.tools.AclCommand";
    private static final String JAAS = "org.apache.kafka.common.security.plain.PlainLoginModule required"
            + " username=\"admin\" password=\"admin-secret\" user_admin=\"admin-secret\""
            + " user_alice=\"alice-secret\" user_bob=\"bob-secret\" user_carol=\"carol-secret\""
            + " user_dave=\"dave-secret\";";

    @RegisterExtension
    static final SkiffBrokerExtension BROKER = new SkiffBrokerExtension()
            .with("listeners", "SASL_PLAINTEXT://127.0.0.1:0")
            .with("sasl.enabled.mechanisms", "PLAIN")
            .with("listener.name.sasl_plaintext.plain.sasl.jaas.config", JAAS)
            .with("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer")
            .with("super.users", "User:admin");

    private static Path adminConfig;

    @BeforeAll
    static void writeToolConfig() throws IOException {
        adminConfig = Files.createTempFile("acl-admin", ".properties");
        StringBuilder sb = new StringBuilder();
        for (var e : sasl("admin").entrySet()) {
            if (!e.getKey().equals(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG)) {
                sb.append(e.getKey()).append('=').append(e.getValue()).append('\n');
            }
        }
        Files.writeString(adminConfig, sb.toString());
    }

    @AfterAll
    static void removeToolConfig() throws IOException {
        Files.deleteIfExists(adminConfig);
    }

    private static String bootstrap() {
        return "127.0.0.1:" + BROKER.broker().boundPort("SASL_PLAINTEXT");
    }

    private static Properties sasl(String user) {
        Properties p = new Properties();
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        p.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_PLAINTEXT");
        p.put(SaslConfigs.SASL_MECHANISM, "PLAIN");
        p.put(
                SaslConfigs.SASL_JAAS_CONFIG,
                "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + user + "\" password=\""
                        + user + "-secret\";");
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 20_000);
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        return p;
    }

    /** Runs kafka-acls.sh as the super user with {@code args} and returns its output. */
    private static String acls(String... args) throws Exception {
        List<String> all =
                new ArrayList<>(List.of("--bootstrap-server", bootstrap(), "--command-config", adminConfig.toString()));
        all.addAll(List.of(args));
        KafkaTool.Result r = KafkaTool.run(ACL_COMMAND, all.toArray(String[]::new));
        assertThat(r.exitCode()).as(r.output()).isZero();
        return r.output();
    }

    private static void createTopic(String topic) throws Exception {
        try (Admin admin = Admin.create(sasl("admin"))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
    }

    private static KafkaProducer<byte[], byte[]> producer(String user, boolean idempotent) {
        Properties p = sasl(user);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, idempotent);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 15_000);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 20_000);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** Sends one record as {@code user} and waits for its acknowledgement (or its failure). */
    private static void produce(String user, String topic, String value) throws Exception {
        produce(user, topic, value, true);
    }

    private static void produce(String user, String topic, String value, boolean idempotent) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = producer(user, idempotent)) {
            producer.send(new ProducerRecord<>(topic, value.getBytes())).get(30, TimeUnit.SECONDS);
        }
    }

    private static KafkaConsumer<byte[], byte[]> consumer(String user, String group) {
        Properties p = sasl(user);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** Polls as {@code user} in {@code group} until {@code expected} records came, or fails with the poll's error. */
    private static List<String> consume(String user, String group, String topic, int expected) {
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(user, group)) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (values.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    values.add(new String(r.value()));
                }
            }
        }
        return values;
    }

    private static Throwable rootOf(Throwable t) {
        return t instanceof ExecutionException && t.getCause() != null ? t.getCause() : t;
    }

    @Test
    void aUserWithoutAclsCanNeitherProduceNorSeeTheTopic() throws Exception {
        createTopic("acl-none");
        assertThatThrownBy(() -> produce("alice", "acl-none", "v"))
                .satisfies(t -> assertThat(rootOf(t)).isInstanceOf(TopicAuthorizationException.class));
        try (Admin alice = Admin.create(sasl("alice"))) {
            assertThat(alice.listTopics().names().get(30, TimeUnit.SECONDS)).doesNotContain("acl-none");
        }
        try (Admin admin = Admin.create(sasl("admin"))) {
            assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).contains("acl-none");
        }
    }

    @Test
    void producerAndConsumerAclsFromTheToolAllowExactlyWhatTheyName() throws Exception {
        createTopic("acl-pc");
        acls("--add", "--allow-principal", "User:bob", "--producer", "--topic", "acl-pc");
        produce("bob", "acl-pc", "from-bob");

        // READ on the topic alone is not enough: the group needs READ too.
        acls("--add", "--allow-principal", "User:bob", "--operation", "Read", "--topic", "acl-pc");
        assertThatThrownBy(() -> consume("bob", "acl-pc-group", "acl-pc", 1))
                .isInstanceOf(GroupAuthorizationException.class);
        acls("--add", "--allow-principal", "User:bob", "--consumer", "--topic", "acl-pc", "--group", "acl-pc-group");
        assertThat(consume("bob", "acl-pc-group", "acl-pc", 1)).containsExactly("from-bob");

        String listed = acls("--list", "--topic", "acl-pc");
        assertThat(listed)
                .contains("User:bob")
                .contains("operation=WRITE")
                .contains("operation=READ")
                .contains("operation=DESCRIBE")
                .contains("permissionType=ALLOW");
        // bob's ACLs are on acl-pc only.
        createTopic("acl-pc-other");
        assertThatThrownBy(() -> produce("bob", "acl-pc-other", "v"))
                .satisfies(t -> assertThat(rootOf(t)).isInstanceOf(TopicAuthorizationException.class));
    }

    @Test
    void aPrefixedCreateAclLetsAUserCreateOnlyTopicsWithThatPrefix() throws Exception {
        acls(
                "--add",
                "--allow-principal",
                "User:carol",
                "--operation",
                "Create",
                "--operation",
                "Describe",
                "--resource-pattern-type",
                "prefixed",
                "--topic",
                "carol-");
        try (Admin carol = Admin.create(sasl("carol"))) {
            carol.createTopics(List.of(new NewTopic("carol-orders", 1, (short) 1)))
                    .all()
                    .get(30, TimeUnit.SECONDS);
            assertThatThrownBy(() -> carol.createTopics(List.of(new NewTopic("dave-orders", 1, (short) 1)))
                            .all()
                            .get(30, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(TopicAuthorizationException.class);
            assertThat(carol.listTopics().names().get(30, TimeUnit.SECONDS))
                    .contains("carol-orders")
                    .doesNotContain("dave-orders");
        }
    }

    @Test
    void aDenyBeatsAnAllowAndRemovingItRestoresAccess() throws Exception {
        createTopic("acl-deny");
        acls("--add", "--allow-principal", "User:dave", "--producer", "--topic", "acl-deny");
        produce("dave", "acl-deny", "before");
        acls("--add", "--deny-principal", "User:dave", "--operation", "Write", "--topic", "acl-deny");
        assertThatThrownBy(() -> produce("dave", "acl-deny", "denied", false))
                .satisfies(t -> assertThat(rootOf(t)).isInstanceOf(TopicAuthorizationException.class));
        // An idempotent producer needs WRITE on some topic that no DENY cancels (or IDEMPOTENT_WRITE on
        // the cluster): dave's only WRITE is cancelled, so InitProducerId is refused for the cluster.
        // (the refusal reaches the client through the send's future, or, when InitProducerId failed
        // before the send, as the cause of the exception send() throws)
        assertThatThrownBy(() -> produce("dave", "acl-deny", "denied"))
                .hasRootCauseInstanceOf(ClusterAuthorizationException.class);
        acls("--remove", "--force", "--deny-principal", "User:dave", "--operation", "Write", "--topic", "acl-deny");
        produce("dave", "acl-deny", "after");
        try (Admin admin = Admin.create(sasl("admin"))) {
            assertThat(admin.describeAcls(AclBindingFilter.ANY).values().get(30, TimeUnit.SECONDS))
                    .noneMatch(b -> b.entry().principal().equals("User:dave")
                            && b.entry().permissionType().name().equals("DENY"));
        }
    }

    @Test
    void aclsSurviveARestart() throws Exception {
        createTopic("acl-restart");
        acls("--add", "--allow-principal", "User:alice", "--producer", "--topic", "acl-restart");
        produce("alice", "acl-restart", "before");
        BROKER.restart();
        produce("alice", "acl-restart", "after");
        assertThat(acls("--list", "--topic", "acl-restart")).contains("User:alice");
        assertThatThrownBy(() -> produce("bob", "acl-restart", "v"))
                .satisfies(t -> assertThat(rootOf(t)).isInstanceOf(TopicAuthorizationException.class));
    }
}
