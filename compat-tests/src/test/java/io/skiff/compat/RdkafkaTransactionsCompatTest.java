package io.skiff.compat;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * librdkafka (through its Python binding, confluent-kafka) as a second transactional client:
 * commit, abort, commit, read back with read_committed. Skipped, and reported so, where the
 * binding is not installed (`.ci/run` installs Debian's python3-confluent-kafka).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RdkafkaTransactionsCompatTest {
    private static final String PYTHON = "/usr/bin/python3";

    @RegisterExtension
    static final SkiffBrokerExtension BROKER = new SkiffBrokerExtension();

    @Test
    void librdkafkaReadCommittedSeesOnlyTheCommittedTransactions(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(bindingInstalled(), "python3-confluent-kafka (librdkafka) is not installed");
        String topic = "rdkafka-txn";
        try (Admin admin = Clients.admin(BROKER)) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        }
        Path script = dir.resolve("transactions.py");
        try (var in = getClass().getResourceAsStream("/rdkafka/transactions.py")) {
            Files.copy(in, script);
        }
        Process p = new ProcessBuilder(PYTHON, script.toString(), BROKER.bootstrapServers(), topic)
                .redirectErrorStream(true)
                .start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(90, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        List<String> expected = new ArrayList<>();
        for (String name : List.of("first", "third")) {
            for (int i = 0; i < 10; i++) {
                expected.add(name + "-" + i);
            }
        }
        expected.add("END");
        assertThat(out.lines().filter(l -> !l.startsWith("%"))).as(out).containsExactlyElementsOf(expected);
    }

    private static boolean bindingInstalled() throws Exception {
        if (!Files.isExecutable(Path.of(PYTHON))) {
            return false;
        }
        Process p = new ProcessBuilder(PYTHON, "-c", "import confluent_kafka").start();
        return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    }
}
