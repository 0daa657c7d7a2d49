package io.skiff.compat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialsDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.SaslHandshakeRequestData;
import org.apache.kafka.common.message.SaslHandshakeResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * kafka-clients over Skiff's SASL listeners: PLAIN with users from the listener's JAAS
 * configuration over SASL_PLAINTEXT and SASL_SSL, SCRAM-SHA-256 and SCRAM-SHA-512 with users made
 * by {@code kafka-configs.sh --alter --add-config 'SCRAM-SHA-256=[...]'} and described by it and the
 * AdminClient; a wrong password or an unknown user gets SASL_AUTHENTICATION_FAILED; a request other
 * than ApiVersions and the SASL ones before authentication closes the connection.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class SaslCompatTest {
    private static final String CONFIG_COMMAND = "kafka.admin.ConfigCommand";
    private static final TestCertificates CERTS = TestCertificates.create();
    private static final String PLAIN_JAAS = "org.apache.kafka.common.security.plain.PlainLoginModule required"
            + " username=\"admin\" password=\"admin-secret\" user_admin=\"admin-secret\" user_alice=\"alice-secret\";";

    @RegisterExtension
    static final SkiffBrokerExtension BROKER = saslBroker(CERTS);

    /**
     * A broker with PLAINTEXT, SASL_PLAINTEXT and SASL_SSL listeners (PLAIN users admin and alice,
     * SCRAM-SHA-256/512 enabled; TLS with {@code certs}' server key store).
     */
    static SkiffBrokerExtension saslBroker(TestCertificates certs) {
        return new SkiffBrokerExtension()
                .with("listeners", "PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0,SASL_SSL://127.0.0.1:0")
                .with("sasl.enabled.mechanisms", "PLAIN,SCRAM-SHA-256,SCRAM-SHA-512")
                .with("listener.name.sasl_plaintext.plain.sasl.jaas.config", PLAIN_JAAS)
                .with("listener.name.sasl_ssl.plain.sasl.jaas.config", PLAIN_JAAS)
                .with("ssl.keystore.type", "PKCS12")
                .with("ssl.keystore.location", certs.serverKeyStore.toString())
                .with("ssl.keystore.password", TestCertificates.PASSWORD);
    }

    private static Admin plaintextAdmin;

    @BeforeAll
    static void createUsers() throws Exception {
        plaintextAdmin = Clients.admin("127.0.0.1:" + BROKER.broker().boundPort("PLAINTEXT"));
        KafkaTool.Result r = KafkaTool.run(
                CONFIG_COMMAND,
                "--bootstrap-server",
                "127.0.0.1:" + BROKER.broker().boundPort("PLAINTEXT"),
                "--alter",
                "--add-config",
                "SCRAM-SHA-256=[iterations=8192,password=bob-secret],SCRAM-SHA-512=[password=bob-secret-512]",
                "--entity-type",
                "users",
                "--entity-name",
                "bob");
        assertThat(r.exitCode()).as(r.output()).isZero();
    }

    @AfterAll
    static void cleanUp() {
        plaintextAdmin.close();
        CERTS.delete();
    }

    private static Properties sasl(String listener, String mechanism, String user, String password) {
        Properties p = new Properties();
        p.put(
                CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG,
                "localhost:" + BROKER.broker().boundPort(listener));
        p.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, listener);
        p.put(SaslConfigs.SASL_MECHANISM, mechanism);
        String module = mechanism.equals("PLAIN")
                ? "org.apache.kafka.common.security.plain.PlainLoginModule"
                : "org.apache.kafka.common.security.scram.ScramLoginModule";
        p.put(
                SaslConfigs.SASL_JAAS_CONFIG,
                module + " required username=\"" + user + "\" password=\"" + password + "\";");
        if (listener.equals("SASL_SSL")) {
            p.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PKCS12");
            p.put(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, CERTS.clientTrustStore.toString());
            p.put(SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG, TestCertificates.PASSWORD);
        }
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 20_000);
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        return p;
    }

    private static void roundTrip(Properties props, String topic) throws Exception {
        try (Admin admin = Admin.create(props)) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        Properties pp = new Properties();
        pp.putAll(props);
        pp.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(pp, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < 20; i++) {
                producer.send(new ProducerRecord<>(topic, ("v" + i).getBytes()));
            }
            producer.flush();
        }
        Properties cp = new Properties();
        cp.putAll(props);
        cp.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(cp, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition tp = new TopicPartition(topic, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            assertThat(Clients.readAll(consumer, 20)).hasSize(20);
        }
    }

    private static void assertAuthenticationFails(Properties props) {
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        try (Admin admin = Admin.create(props)) {
            assertThatThrownBy(() -> admin.describeCluster().nodes().get(30, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(SaslAuthenticationException.class);
        }
    }

    @Test
    void plainOverSaslPlaintext() throws Exception {
        roundTrip(sasl("SASL_PLAINTEXT", "PLAIN", "alice", "alice-secret"), "sasl-plain");
    }

    @Test
    void plainOverSaslSsl() throws Exception {
        roundTrip(sasl("SASL_SSL", "PLAIN", "alice", "alice-secret"), "sasl-ssl-plain");
    }

    @Test
    void scramSha256OverSaslPlaintext() throws Exception {
        roundTrip(sasl("SASL_PLAINTEXT", "SCRAM-SHA-256", "bob", "bob-secret"), "sasl-scram-256");
    }

    @Test
    void scramSha512OverSaslSsl() throws Exception {
        roundTrip(sasl("SASL_SSL", "SCRAM-SHA-512", "bob", "bob-secret-512"), "sasl-ssl-scram-512");
    }

    @Test
    void aWrongPasswordFailsAuthentication() {
        assertAuthenticationFails(sasl("SASL_PLAINTEXT", "PLAIN", "alice", "wrong"));
        assertAuthenticationFails(sasl("SASL_PLAINTEXT", "PLAIN", "nobody", "wrong"));
        assertAuthenticationFails(sasl("SASL_SSL", "SCRAM-SHA-256", "bob", "wrong"));
        assertAuthenticationFails(sasl("SASL_PLAINTEXT", "SCRAM-SHA-512", "nobody", "wrong"));
    }

    @Test
    void scramCredentialsAreDescribedWithoutSecrets() throws Exception {
        UserScramCredentialsDescription bob = plaintextAdmin
                .describeUserScramCredentials(List.of("bob"))
                .description("bob")
                .get(30, TimeUnit.SECONDS);
        assertThat(bob.credentialInfos())
                .extracting(c -> c.mechanism() + ":" + c.iterations())
                .containsExactlyInAnyOrder("SCRAM_SHA_256:8192", "SCRAM_SHA_512:4096");
        KafkaTool.Result r = KafkaTool.run(
                CONFIG_COMMAND,
                "--bootstrap-server",
                "127.0.0.1:" + BROKER.broker().boundPort("PLAINTEXT"),
                "--describe",
                "--entity-type",
                "users",
                "--entity-name",
                "bob");
        assertThat(r.output()).contains("SCRAM-SHA-256=iterations=8192").doesNotContain("bob-secret");
        assertThat(plaintextAdmin.describeUserScramCredentials().all().get(30, TimeUnit.SECONDS))
                .containsKey("bob");
        assertThat(ScramMechanism.SCRAM_SHA_256.type()).isEqualTo((byte) 1);
    }

    @Test
    void aRequestBeforeAuthenticationClosesTheConnection() throws Exception {
        try (RawConnection c = new RawConnection("127.0.0.1", BROKER.broker().boundPort("SASL_PLAINTEXT"))) {
            c.send(ApiKeys.METADATA, (short) 12, new MetadataRequestData().setTopics(null));
            assertThat(c.closedByPeer()).isTrue();
        }
    }

    private static RawConnection handshakeV0(String mechanism) throws Exception {
        RawConnection c = new RawConnection("127.0.0.1", BROKER.broker().boundPort("SASL_PLAINTEXT"));
        int id = c.send(ApiKeys.SASL_HANDSHAKE, (short) 0, new SaslHandshakeRequestData().setMechanism(mechanism));
        SaslHandshakeResponseData r = new SaslHandshakeResponseData(
                new ByteBufferAccessor(c.receive(id, ApiKeys.SASL_HANDSHAKE.responseHeaderVersion((short) 0))),
                (short) 0);
        assertThat(r.errorCode()).isZero();
        return c;
    }

    @Test
    void aVersion0HandshakeIsFollowedByBareTokensAndThenRequests() throws Exception {
        try (RawConnection c = handshakeV0("PLAIN")) {
            c.sendBare("\0alice\0alice-secret".getBytes(StandardCharsets.UTF_8));
            assertThat(c.receiveBare()).as("PLAIN's empty final answer").isEmpty();
            int id = c.send(ApiKeys.METADATA, (short) 12, new MetadataRequestData().setTopics(null));
            MetadataResponseData md = new MetadataResponseData(
                    new ByteBufferAccessor(c.receive(id, ApiKeys.METADATA.responseHeaderVersion((short) 12))),
                    (short) 12);
            assertThat(md.brokers()).isNotEmpty();
        }
    }

    @Test
    void aWrongPasswordAfterAVersion0HandshakeClosesTheConnection() throws Exception {
        try (RawConnection c = handshakeV0("PLAIN")) {
            c.sendBare("\0alice\0wrong".getBytes(StandardCharsets.UTF_8));
            assertThat(c.closedByPeer()).isTrue();
        }
    }
}
