package io.skiff.compat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A second client library: kcat (librdkafka) produces with each codec and consumes back. CI
 * installs kcat; where it cannot be installed this test is skipped, saying so.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class KcatCompatTest {
    @RegisterExtension
    static final SkiffBrokerExtension BROKER = new SkiffBrokerExtension();

    private static String kcat;

    @BeforeAll
    static void findKcat() {
        kcat = Kcat.find();
    }

    private static String run(String stdin, String... args) throws Exception {
        Kcat.Result r = Kcat.run(kcat, stdin, args);
        assertThat(r.exitCode())
                .as("kcat %s: %s", String.join(" ", args), r.err())
                .isZero();
        return r.out();
    }

    @ParameterizedTest
    @ValueSource(strings = {"none", "gzip", "snappy", "lz4", "zstd"})
    void kcatProducesAndConsumesWithEachCodec(String codec) throws Exception {
        assumeTrue(kcat != null, "kcat is not installed (CI installs it with apt-get); skipping the librdkafka test");
        String topic = "kcat-" + codec;
        try (Admin admin = Clients.admin(BROKER)) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        }
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 300; i++) {
            lines.append("key")
                    .append(i)
                    .append(':')
                    .append("value-")
                    .append(i)
                    .append(" via ")
                    .append(codec)
                    .append('\n');
        }
        run(
                lines.toString(),
                "-b",
                BROKER.bootstrapServers(),
                "-P",
                "-t",
                topic,
                "-p",
                "0",
                "-z",
                codec,
                "-K",
                ":",
                "-X",
                "linger.ms=20");
        String out = run(
                null,
                "-b",
                BROKER.bootstrapServers(),
                "-C",
                "-t",
                topic,
                "-p",
                "0",
                "-o",
                "beginning",
                "-e",
                "-f",
                "%o %k:%s\n");
        String[] got = out.split("\n");
        assertThat(got).hasSize(300);
        for (int i = 0; i < 300; i++) {
            assertThat(got[i]).isEqualTo(i + " key" + i + ":value-" + i + " via " + codec);
        }
    }
}
