package io.skiff.compat;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Apache Kafka's DumpLogSegments reads the segments and indexes Skiff wrote for a real producer. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class StorageFormatCompatTest {
    @RegisterExtension
    static final SkiffBrokerExtension BROKER = new SkiffBrokerExtension().with("log.index.interval.bytes", "512");

    @Test
    void dumpLogSegmentsReadsSkiffsLogAndIndexWithTheSameOffsets() throws Exception {
        String topic = "dumped";
        try (Admin admin = Clients.admin(BROKER)) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        }
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, BROKER.bootstrapServers());
        p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        int n = 600;
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < n; i++) {
                producer.send(new ProducerRecord<>(
                        topic,
                        ("k" + i).getBytes(StandardCharsets.UTF_8),
                        ("value-" + i).getBytes(StandardCharsets.UTF_8)));
                if (i % 50 == 49) {
                    producer.flush(); // several batches
                }
            }
        }
        BROKER.restart(); // a clean shutdown trims the indexes, as Kafka's does
        File dir = BROKER.dataDir().resolve(topic + "-0").toFile();
        File log = new File(dir, "00000000000000000000.log");
        File index = new File(dir, "00000000000000000000.index");
        KafkaTool.Result dump =
                KafkaTool.run("org.apache.kafka.tools.DumpLogSegments", "--print-data-log", "--files", log.getPath());
        assertThat(dump.exitCode()).as(dump.output()).isZero();
        Matcher batch = Pattern.compile("baseOffset: (\\d+) lastOffset: (\\d+) count: (\\d+).*?isvalid: (\\w+)")
                .matcher(dump.output());
        long expectedBase = 0;
        int batches = 0;
        while (batch.find()) {
            assertThat(Long.parseLong(batch.group(1))).isEqualTo(expectedBase);
            assertThat(batch.group(4)).isEqualTo("true");
            expectedBase = Long.parseLong(batch.group(2)) + 1;
            batches++;
        }
        assertThat(expectedBase).isEqualTo(n);
        assertThat(batches).isGreaterThan(1);
        Matcher record =
                Pattern.compile("\\| offset: (\\d+) .*?payload: (\\S+)").matcher(dump.output());
        List<String> payloads = new ArrayList<>();
        while (record.find()) {
            assertThat(Long.parseLong(record.group(1))).isEqualTo(payloads.size());
            payloads.add(record.group(2));
        }
        assertThat(payloads).hasSize(n);
        assertThat(payloads.get(n - 1)).isEqualTo("value-" + (n - 1));

        KafkaTool.Result idx = KafkaTool.run(
                "org.apache.kafka.tools.DumpLogSegments", "--index-sanity-check", "--files", index.getPath());
        assertThat(idx.exitCode()).as(idx.output()).isZero();
        assertThat(idx.output()).contains("passed sanity check");
        KafkaTool.Result entries = KafkaTool.run("org.apache.kafka.tools.DumpLogSegments", "--files", index.getPath());
        Matcher entry = Pattern.compile("offset: (\\d+) position: (\\d+)").matcher(entries.output());
        int count = 0;
        long last = -1;
        while (entry.find()) {
            long offset = Long.parseLong(entry.group(1));
            assertThat(offset).isGreaterThan(last).isLessThan(n);
            last = offset;
            count++;
        }
        assertThat(count).as(entries.output()).isPositive();
        assertThat(entries.output()).doesNotContain("Mismatches");
    }
}
