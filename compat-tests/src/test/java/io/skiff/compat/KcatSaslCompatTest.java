package io.skiff.compat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * librdkafka (kcat) over Skiff's SASL listeners: PLAIN and SCRAM-SHA-256/512 on SASL_PLAINTEXT,
 * SCRAM-SHA-512 on SASL_SSL with the server's certificate as the CA, produce and consume back;
 * a wrong password is refused and nothing is produced. Skipped, saying so, where kcat is not
 * installed (CI installs it).
 *
 * <p>librdkafka before 2.6.1 repeats its own nonce in the SCRAM client-final message; Apache
 * Kafka 4 checks that nonce strictly (RFC 5802) and refuses those clients, and so does Skiff: with
 * such a librdkafka the SCRAM cases check that the login is refused for that reason.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class KcatSaslCompatTest {
    private static final TestCertificates CERTS = TestCertificates.create();

    @RegisterExtension
    static final SkiffBrokerExtension BROKER = SaslCompatTest.saslBroker(CERTS);

    private static String kcat;
    private static Path caFile;
    /** Whether the installed librdkafka sends a correct SCRAM client-final nonce (2.6.1 and later). */
    private static boolean scramNonceFixed;

    @BeforeAll
    static void setUp() throws Exception {
        kcat = Kcat.find();
        if (kcat != null) {
            int[] v = Kcat.librdkafkaVersion(kcat);
            scramNonceFixed = v[0] > 2 || (v[0] == 2 && (v[1] > 6 || (v[1] == 6 && v[2] >= 1)));
        }
        String plaintext = "127.0.0.1:" + BROKER.broker().boundPort("PLAINTEXT");
        KafkaTool.Result r = KafkaTool.run(
                "kafka.admin.ConfigCommand",
                "--bootstrap-server",
                plaintext,
                "--alter",
                "--add-config",
                "SCRAM-SHA-256=[password=bob-secret],SCRAM-SHA-512=[password=bob-secret-512]",
                "--entity-type",
                "users",
                "--entity-name",
                "bob");
        assertThat(r.exitCode()).as(r.output()).isZero();
        caFile = CERTS.dir.resolve("ca.pem");
        Files.writeString(caFile, CERTS.serverCertificatePem);
    }

    @AfterAll
    static void cleanUp() {
        CERTS.delete();
    }

    private static List<String> security(String listener, String mechanism, String user, String password) {
        List<String> args = new ArrayList<>(List.of(
                "-b",
                "localhost:" + BROKER.broker().boundPort(listener),
                "-X",
                "security.protocol=" + listener.toLowerCase(Locale.ROOT),
                "-X",
                "sasl.mechanisms=" + mechanism,
                "-X",
                "sasl.username=" + user,
                "-X",
                "sasl.password=" + password));
        if (listener.equals("SASL_SSL")) {
            args.addAll(List.of("-X", "ssl.ca.location=" + caFile));
        }
        return args;
    }

    private static void createTopic(String topic) throws Exception {
        try (Admin admin = Clients.admin("127.0.0.1:" + BROKER.broker().boundPort("PLAINTEXT"))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
    }

    private static Kcat.Result kcat(String stdin, List<String> security, String... args) throws Exception {
        List<String> all = new ArrayList<>(security);
        all.addAll(List.of(args));
        return Kcat.run(kcat, stdin, all.toArray(String[]::new));
    }

    @ParameterizedTest
    @CsvSource({
        "SASL_PLAINTEXT, PLAIN, alice, alice-secret",
        "SASL_PLAINTEXT, SCRAM-SHA-256, bob, bob-secret",
        "SASL_PLAINTEXT, SCRAM-SHA-512, bob, bob-secret-512",
        "SASL_SSL, SCRAM-SHA-512, bob, bob-secret-512"
    })
    void kcatAuthenticatesProducesAndConsumes(String listener, String mechanism, String user, String password)
            throws Exception {
        assumeTrue(kcat != null, "kcat is not installed (CI installs it with apt-get); skipping the librdkafka test");
        String topic = ("kcat-" + listener + "-" + mechanism).toLowerCase(Locale.ROOT);
        createTopic(topic);
        List<String> sec = security(listener, mechanism, user, password);
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 100; i++) {
            lines.append("k").append(i).append(":v").append(i).append('\n');
        }
        if (mechanism.startsWith("SCRAM") && !scramNonceFixed) {
            Kcat.Result refused = kcat(
                    lines.toString(), sec, "-P", "-t", topic, "-p", "0", "-K", ":", "-X", "message.timeout.ms=5000");
            assertThat(refused.exitCode()).isNotZero();
            assertThat(refused.err()).contains("nonce does not match");
            return;
        }
        Kcat.Result produced = kcat(lines.toString(), sec, "-P", "-t", topic, "-p", "0", "-K", ":");
        assertThat(produced.exitCode()).as(produced.err()).isZero();
        Kcat.Result consumed =
                kcat(null, sec, "-C", "-t", topic, "-p", "0", "-o", "beginning", "-e", "-f", "%o %k:%s\n");
        assertThat(consumed.exitCode()).as(consumed.err()).isZero();
        String[] got = consumed.out().split("\n");
        assertThat(got).hasSize(100);
        for (int i = 0; i < 100; i++) {
            assertThat(got[i]).isEqualTo(i + " k" + i + ":v" + i);
        }
    }

    @Test
    void aWrongPasswordIsRefusedAndProducesNothing() throws Exception {
        assumeTrue(kcat != null, "kcat is not installed (CI installs it with apt-get); skipping the librdkafka test");
        String topic = "kcat-wrong-password";
        createTopic(topic);
        Kcat.Result refused = kcat(
                "k:v\n",
                security("SASL_PLAINTEXT", "PLAIN", "alice", "not-alices"),
                "-P",
                "-t",
                topic,
                "-p",
                "0",
                "-K",
                ":",
                "-X",
                "message.timeout.ms=5000");
        assertThat(refused.exitCode()).isNotZero();
        assertThat(refused.err()).containsIgnoringCase("authentication");
        Kcat.Result consumed = kcat(
                null,
                security("SASL_PLAINTEXT", "PLAIN", "alice", "alice-secret"),
                "-C",
                "-t",
                topic,
                "-p",
                "0",
                "-o",
                "beginning",
                "-e",
                "-f",
                "%s\n");
        assertThat(consumed.exitCode()).as(consumed.err()).isZero();
        assertThat(consumed.out()).isEmpty();
    }
}
