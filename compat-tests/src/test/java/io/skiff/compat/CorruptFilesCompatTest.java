package io.skiff.compat;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A broker child process is killed with SIGKILL, files of its data directory are damaged, and it
 * is started again: it runs, every record before the damage is consumed, and Kafka's
 * DumpLogSegments passes the rebuilt index; damage in the middle of the metadata log stops it
 * with a message instead.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class CorruptFilesCompatTest {
    private static final String TOPIC = "damaged";
    private static final int RECORDS = 2000;

    private static void produce(String bootstrap, int from, int to) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = Clients.producer(bootstrap, "all")) {
            for (int i = from; i < to; i++) {
                producer.send(new ProducerRecord<>(
                        TOPIC, 0, null, ByteBuffer.allocate(100).putInt(i).array()));
                if (i % 100 == 99) {
                    producer.flush();
                }
            }
            producer.flush();
        }
    }

    private static List<Integer> consumeAll(String bootstrap) {
        List<Integer> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = Clients.consumer(bootstrap, new Properties())) {
            TopicPartition tp = new TopicPartition(TOPIC, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long end = consumer.endOffsets(List.of(tp)).get(tp);
            for (ConsumerRecord<byte[], byte[]> r : Clients.readAll(consumer, (int) end)) {
                out.add(ByteBuffer.wrap(r.value()).getInt());
            }
        }
        return out;
    }

    private static File[] sorted(File dir, String suffix) {
        File[] files = dir.listFiles((d, n) -> n.endsWith(suffix));
        Arrays.sort(files);
        return files;
    }

    private static void flipByte(File f, long position) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(f, "rw")) {
            raf.seek(position);
            int b = raf.readByte();
            raf.seek(position);
            raf.write(b ^ 0x01);
        }
    }

    @Test
    void damagedLogTailIndexSnapshotAndEpochCheckpointAfterSigkillKeepEveryEarlierRecord(@TempDir Path dir)
            throws Exception {
        try (SkiffProcess broker =
                new SkiffProcess(dir).with("log.segment.bytes", "40000").with("log.index.interval.bytes", "512")) {
            broker.start();
            try (Admin admin = Clients.admin(broker.bootstrapServers())) {
                admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1)))
                        .all()
                        .get();
            }
            produce(broker.bootstrapServers(), 0, RECORDS);
            broker.kill();

            File partition = dir.resolve(TOPIC + "-0").toFile();
            File[] logs = sorted(partition, ".log");
            assertThat(logs.length).as("segments").isGreaterThanOrEqualTo(3);
            // a torn append at the end of the active segment
            try (RandomAccessFile raf = new RandomAccessFile(logs[logs.length - 1], "rw")) {
                raf.seek(raf.length());
                raf.write(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2});
            }
            // a truncated index of the first segment, a flipped byte in the latest producer
            // snapshot, a bad version in leader-epoch-checkpoint
            File firstIndex = sorted(partition, ".index")[0];
            try (RandomAccessFile raf = new RandomAccessFile(firstIndex, "rw")) {
                raf.setLength(raf.length() - 3);
            }
            File[] snapshots = sorted(partition, ".snapshot");
            assertThat(snapshots).isNotEmpty();
            File snapshot = snapshots[snapshots.length - 1];
            flipByte(snapshot, snapshot.length() - 5);
            flipByte(new File(partition, "leader-epoch-checkpoint"), 0);

            broker.start();
            List<Integer> values = consumeAll(broker.bootstrapServers());
            List<Integer> expected = new ArrayList<>();
            for (int i = 0; i < RECORDS; i++) {
                expected.add(i);
            }
            assertThat(values).as("every acknowledged record, in order").isEqualTo(expected);
            // the broker runs and takes more records after them
            produce(broker.bootstrapServers(), RECORDS, RECORDS + 10);
            assertThat(consumeAll(broker.bootstrapServers())).hasSize(RECORDS + 10);

            KafkaTool.Result check = KafkaTool.run(
                    "org.apache.kafka.tools.DumpLogSegments", "--index-sanity-check", "--files", firstIndex.getPath());
            assertThat(check.exitCode()).as(check.output()).isZero();
            assertThat(check.output()).contains("passed sanity check");
            assertThat(Files.readString(new File(partition, "leader-epoch-checkpoint").toPath()))
                    .startsWith("0\n");
        }
    }

    @Test
    void damageInTheMiddleOfTheMetadataLogStopsStartUpNamingTheFile(@TempDir Path dir) throws Exception {
        try (SkiffProcess broker = new SkiffProcess(dir)) {
            broker.start();
            try (Admin admin = Clients.admin(broker.bootstrapServers())) {
                for (int i = 0; i < 3; i++) {
                    admin.createTopics(List.of(new NewTopic("topic-" + i, 1, (short) 1)))
                            .all()
                            .get();
                }
            }
            broker.kill();
            File metadataLog = dir.resolve("skiff-metadata.log").toFile();
            assertThat(metadataLog).exists();
            long size = metadataLog.length();
            flipByte(metadataLog, size / 2);

            assertThat(broker.startExpectingExit()).isNotZero();
            assertThat(broker.output())
                    .contains("skiff-metadata.log is corrupt at position")
                    .contains("Refusing to start");
            assertThat(metadataLog.length())
                    .as("the metadata log is left as it was")
                    .isEqualTo(size);
        }
    }
}
