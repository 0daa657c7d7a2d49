package io.skiff.compat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.skiff.broker.network.ZeroCopyStats;
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
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * kafka-clients over Skiff's TLS listeners: server authentication with a PKCS12 key store, mutual
 * TLS (a client without a certificate is refused), a PEM key store given inline and a PEM file;
 * Metadata answers each client with the listener it came in on; records fetched over TLS are read
 * from the segment files into direct buffers rather than sent with sendfile. Certificates are made
 * by the test with keytool.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class TlsCompatTest {
    private static final TestCertificates CERTS = TestCertificates.create();

    @RegisterExtension
    static final SkiffBrokerExtension BROKER = new SkiffBrokerExtension()
            .with(
                    "listeners",
                    "PLAINTEXT://127.0.0.1:0,SSL://127.0.0.1:0,MTLS://127.0.0.1:0,PEM://127.0.0.1:0,"
                            + "PEMFILE://127.0.0.1:0")
            .with("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,SSL:SSL,MTLS:SSL,PEM:SSL,PEMFILE:SSL")
            .with("ssl.keystore.type", "PKCS12")
            .with("ssl.keystore.location", CERTS.serverKeyStore.toString())
            .with("ssl.keystore.password", TestCertificates.PASSWORD)
            .with("listener.name.mtls.ssl.client.auth", "required")
            .with("listener.name.mtls.ssl.truststore.type", "PKCS12")
            .with("listener.name.mtls.ssl.truststore.location", CERTS.serverTrustStore.toString())
            .with("listener.name.mtls.ssl.truststore.password", TestCertificates.PASSWORD)
            .with("listener.name.pem.ssl.keystore.type", "PEM")
            .with("listener.name.pem.ssl.keystore.key", CERTS.serverKeyPem)
            .with("listener.name.pem.ssl.keystore.certificate.chain", CERTS.serverCertificatePem)
            .with("listener.name.pemfile.ssl.keystore.type", "PEM")
            .with("listener.name.pemfile.ssl.keystore.location", CERTS.serverPem.toString())
            .with("listener.name.pemfile.ssl.keystore.password", "")
            .with("num.partitions", "1");

    @AfterAll
    static void deleteCertificates() {
        CERTS.delete();
    }

    private static String bootstrap(String listener) {
        return "localhost:" + BROKER.broker().boundPort(listener);
    }

    private static Properties tls(String listener, boolean clientCertificate) {
        Properties p = new Properties();
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap(listener));
        p.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SSL");
        p.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PKCS12");
        p.put(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, CERTS.clientTrustStore.toString());
        p.put(SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG, TestCertificates.PASSWORD);
        if (clientCertificate) {
            p.put(SslConfigs.SSL_KEYSTORE_TYPE_CONFIG, "PKCS12");
            p.put(SslConfigs.SSL_KEYSTORE_LOCATION_CONFIG, CERTS.clientKeyStore.toString());
            p.put(SslConfigs.SSL_KEYSTORE_PASSWORD_CONFIG, TestCertificates.PASSWORD);
        }
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 20_000);
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        return p;
    }

    /** Creates a topic, produces {@code count} records and reads them back, all through {@code props}. */
    private static void roundTrip(Properties props, String topic, int count) throws Exception {
        try (Admin admin = Admin.create(props)) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            assertThat(admin.describeCluster().nodes().get(30, TimeUnit.SECONDS))
                    .singleElement()
                    .satisfies(n -> assertThat(n.port())
                            .isEqualTo(Integer.parseInt(props.getProperty(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG)
                                    .split(":")[1])));
        }
        Properties pp = new Properties();
        pp.putAll(props);
        pp.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(pp, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < count; i++) {
                producer.send(new ProducerRecord<>(topic, ("key-" + i).getBytes(), new byte[1000]));
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
            List<ConsumerRecord<byte[], byte[]>> records = Clients.readAll(consumer, count);
            assertThat(records).hasSize(count);
            assertThat(new String(records.get(count - 1).key())).isEqualTo("key-" + (count - 1));
        }
    }

    @Test
    void producesAndConsumesOverTlsWithServerAuthentication() throws Exception {
        long before = ZeroCopyStats.tlsChunkedBytes();
        roundTrip(tls("SSL", false), "tls-server-auth", 500);
        assertThat(ZeroCopyStats.tlsChunkedBytes() - before).isGreaterThanOrEqualTo(500L * 1000);
    }

    @Test
    void producesAndConsumesOverMutualTls() throws Exception {
        roundTrip(tls("MTLS", true), "tls-mutual", 50);
    }

    @Test
    void aListenerThatRequiresClientCertificatesRefusesAClientWithout() {
        Properties p = tls("MTLS", false);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000);
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 4_000);
        try (Admin admin = Admin.create(p)) {
            assertThatThrownBy(() -> admin.describeCluster().nodes().get(30, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class);
        }
    }

    @Test
    void servesAPemKeyStoreGivenInline() throws Exception {
        roundTrip(tls("PEM", false), "tls-pem-inline", 20);
    }

    @Test
    void servesAPemKeyStoreFile() throws Exception {
        roundTrip(tls("PEMFILE", false), "tls-pem-file", 20);
    }
}
