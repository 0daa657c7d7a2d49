package io.skiff.compat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * kafka-clients' transactional producer and read_committed consumer against Skiff: commit, abort,
 * several topics and partitions per transaction, offsets sent to a transaction, fencing of a
 * producer by a second one with the same transactional id, and the coordinator aborting a
 * transaction that outlived its timeout. Every check reads the partitions back in full.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class TransactionsCompatTest {
    @RegisterExtension
    static final SkiffBrokerExtension BROKER = new SkiffBrokerExtension()
            .with("transaction.abort.timed.out.transaction.cleanup.interval.ms", "500")
            .with("group.initial.rebalance.delay.ms", "0");

    @Test
    void committedTransactionsOverManyPartitionsAreReadOnceInOrder() throws Exception {
        String topicA = "txn-commit-a";
        String topicB = "txn-commit-b";
        createTopic(topicA, 3);
        createTopic(topicB, 2);
        try (KafkaProducer<byte[], byte[]> producer = transactional("commit-many")) {
            producer.initTransactions();
            for (int t = 0; t < 5; t++) {
                producer.beginTransaction();
                for (int i = 0; i < 100; i++) {
                    String v = "t" + t + "-" + i;
                    producer.send(new ProducerRecord<>(topicA, i % 3, null, bytes(v)));
                    producer.send(new ProducerRecord<>(topicB, i % 2, null, bytes(v)));
                }
                producer.commitTransaction();
            }
        }
        for (String topic : List.of(topicA, topicB)) {
            int partitions = topic.equals(topicA) ? 3 : 2;
            Map<Integer, List<String>> read = readToEnd(topic, partitions, true);
            for (int p = 0; p < partitions; p++) {
                List<String> expected = new ArrayList<>();
                for (int t = 0; t < 5; t++) {
                    for (int i = 0; i < 100; i++) {
                        if (i % partitions == p) {
                            expected.add("t" + t + "-" + i);
                        }
                    }
                }
                assertThat(read.get(p)).as(topic + "-" + p).containsExactlyElementsOf(expected);
            }
        }
    }

    @Test
    void abortedTransactionIsHiddenFromReadCommittedOnly() throws Exception {
        String topic = "txn-abort";
        createTopic(topic, 1);
        try (KafkaProducer<byte[], byte[]> producer = transactional("abort-one")) {
            producer.initTransactions();
            sendInTransaction(producer, topic, "first", 10, true);
            sendInTransaction(producer, topic, "aborted", 10, false);
            sendInTransaction(producer, topic, "third", 10, true);
        }
        List<String> committed = readToEnd(topic, 1, true).get(0);
        assertThat(committed).containsExactlyElementsOf(concat(values("first", 10), values("third", 10)));
        List<String> all = readToEnd(topic, 1, false).get(0);
        assertThat(all)
                .containsExactlyElementsOf(
                        concat(concat(values("first", 10), values("aborted", 10)), values("third", 10)));
    }

    @Test
    void openTransactionHoldsReadCommittedAtTheLastStableOffset() throws Exception {
        String topic = "txn-open";
        createTopic(topic, 1);
        TopicPartition tp = new TopicPartition(topic, 0);
        try (KafkaProducer<byte[], byte[]> plain = Clients.producer(BROKER.bootstrapServers(), "all");
                KafkaProducer<byte[], byte[]> producer = transactional("open-one")) {
            plain.send(new ProducerRecord<>(topic, bytes("before-0"))).get();
            plain.send(new ProducerRecord<>(topic, bytes("before-1"))).get();
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, bytes("open-0")));
            producer.flush();
            plain.send(new ProducerRecord<>(topic, bytes("after-open"))).get();

            try (KafkaConsumer<byte[], byte[]> committed = consumer(true);
                    KafkaConsumer<byte[], byte[]> uncommitted = consumer(false)) {
                long lso = committed.endOffsets(List.of(tp)).get(tp);
                long logEnd = uncommitted.endOffsets(List.of(tp)).get(tp);
                assertThat(lso).isEqualTo(2);
                assertThat(logEnd).isEqualTo(4);
                committed.assign(List.of(tp));
                committed.seekToBeginning(List.of(tp));
                List<String> seen = new ArrayList<>();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
                while (System.nanoTime() < deadline) {
                    committed.poll(Duration.ofMillis(200)).forEach(r -> seen.add(string(r.value())));
                }
                assertThat(seen).containsExactly("before-0", "before-1");

                producer.commitTransaction();
                deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (seen.size() < 4 && System.nanoTime() < deadline) {
                    committed.poll(Duration.ofMillis(200)).forEach(r -> seen.add(string(r.value())));
                }
                assertThat(seen).containsExactly("before-0", "before-1", "open-0", "after-open");
            }
        }
    }

    @Test
    void offsetsSentToATransactionCommitAndAbortWithIt() throws Exception {
        String input = "txn-offsets-in";
        String output = "txn-offsets-out";
        String group = "txn-offsets-group";
        createTopic(input, 1);
        createTopic(output, 1);
        TopicPartition in = new TopicPartition(input, 0);
        try (KafkaProducer<byte[], byte[]> plain = Clients.producer(BROKER.bootstrapServers(), "all")) {
            for (int i = 0; i < 20; i++) {
                plain.send(new ProducerRecord<>(input, bytes("in-" + i))).get();
            }
        }
        Properties cp = new Properties();
        cp.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        cp.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        cp.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<byte[], byte[]> consumer = Clients.consumer(BROKER.bootstrapServers(), cp);
                KafkaProducer<byte[], byte[]> producer = transactional("offsets-one")) {
            producer.initTransactions();
            consumer.subscribe(List.of(input));
            List<ConsumerRecord<byte[], byte[]>> batch = Clients.readAll(consumer, 20);
            assertThat(batch).hasSize(20);
            ConsumerGroupMetadata metadata = consumer.groupMetadata();

            // Aborted: the output and the offsets go together.
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(output, bytes("out-aborted")));
            producer.sendOffsetsToTransaction(Map.of(in, new OffsetAndMetadata(10)), metadata);
            producer.abortTransaction();
            assertThat(committedOffset(group, in)).isNull();

            producer.beginTransaction();
            producer.send(new ProducerRecord<>(output, bytes("out-committed")));
            producer.sendOffsetsToTransaction(Map.of(in, new OffsetAndMetadata(20)), metadata);
            producer.commitTransaction();
            assertThat(committedOffset(group, in)).isEqualTo(20L);
        }
        assertThat(readToEnd(output, 1, true).get(0)).containsExactly("out-committed");
    }

    @Test
    void secondProducerWithTheSameTransactionalIdFencesTheFirst() throws Exception {
        String topic = "txn-fence";
        createTopic(topic, 1);
        try (KafkaProducer<byte[], byte[]> first = transactional("fenced-id");
                KafkaProducer<byte[], byte[]> second = transactional("fenced-id")) {
            first.initTransactions();
            first.beginTransaction();
            first.send(new ProducerRecord<>(topic, bytes("zombie"))).get();
            second.initTransactions();
            assertThatThrownBy(first::commitTransaction).isInstanceOf(KafkaException.class);
            sendInTransaction(second, topic, "live", 3, true);
        }
        assertThat(readToEnd(topic, 1, true).get(0)).containsExactlyElementsOf(values("live", 3));
    }

    @Test
    void coordinatorAbortsATransactionThatOutlivesItsTimeout() throws Exception {
        String topic = "txn-timeout";
        createTopic(topic, 1);
        TopicPartition tp = new TopicPartition(topic, 0);
        Properties extra = new Properties();
        extra.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 2000);
        try (KafkaProducer<byte[], byte[]> producer = transactional("timeout-one", extra)) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, bytes("abandoned"))).get();
            try (KafkaConsumer<byte[], byte[]> committed = consumer(true);
                    KafkaConsumer<byte[], byte[]> uncommitted = consumer(false)) {
                long logEnd = uncommitted.endOffsets(List.of(tp)).get(tp);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                long lso = committed.endOffsets(List.of(tp)).get(tp);
                while (lso < logEnd && System.nanoTime() < deadline) {
                    lso = committed.endOffsets(List.of(tp)).get(tp);
                }
                // The abort marker follows the record: the stable offset passes both.
                assertThat(lso).isGreaterThan(logEnd);
            }
            assertThatThrownBy(producer::commitTransaction).isInstanceOf(KafkaException.class);
        }
        assertThat(readToEnd(topic, 1, true).get(0)).isEmpty();
        assertThat(readToEnd(topic, 1, false).get(0)).containsExactly("abandoned");
    }

    @Test
    void transactionsToolDescribesTheProducerOfAnOpenTransactionAndAbortsIt() throws Exception {
        String topic = "txn-tool";
        createTopic(topic, 1);
        TopicPartition tp = new TopicPartition(topic, 0);
        KafkaProducer<byte[], byte[]> producer = transactional("tool-one");
        try (KafkaConsumer<byte[], byte[]> committed = consumer(true)) {
            producer.initTransactions();
            sendInTransaction(producer, topic, "done", 2, true);
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, bytes("open"))).get();

            KafkaTool.Result producers = transactionsTool("describe-producers", "--topic", topic, "--partition", "0");
            assertThat(producers.exitCode()).as(producers.output()).isZero();
            // The commit marker of the first transaction is at offset 2: the open one starts at 3.
            assertThat(producers.output().lines().filter(l -> l.matches("^\\d+\\s.*")))
                    .as(producers.output())
                    .singleElement()
                    .satisfies(l -> assertThat(l.split("\\s+")).endsWith("3"));
            assertThat(committed.endOffsets(List.of(tp)).get(tp)).isEqualTo(3);

            KafkaTool.Result abort =
                    transactionsTool("abort", "--topic", topic, "--partition", "0", "--start-offset", "3");
            assertThat(abort.exitCode()).as(abort.output()).isZero();
            // The abort marker follows the open record: the stable offset passes both.
            assertThat(committed.endOffsets(List.of(tp)).get(tp)).isEqualTo(5);
        } finally {
            producer.close(Duration.ZERO);
        }
        assertThat(readToEnd(topic, 1, true).get(0)).containsExactlyElementsOf(values("done", 2));
    }

    private static KafkaTool.Result transactionsTool(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("--bootstrap-server", BROKER.bootstrapServers()));
        all.addAll(List.of(args));
        return KafkaTool.run("org.apache.kafka.tools.TransactionsCommand", all.toArray(new String[0]));
    }

    // ---------------------------------------------------------------------------------------------

    private static void createTopic(String name, int partitions) throws Exception {
        try (Admin admin = Clients.admin(BROKER)) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1)))
                    .all()
                    .get();
        }
    }

    private static KafkaProducer<byte[], byte[]> transactional(String transactionalId) {
        return transactional(transactionalId, new Properties());
    }

    private static KafkaProducer<byte[], byte[]> transactional(String transactionalId, Properties extra) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, BROKER.bootstrapServers());
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.putAll(extra);
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static void sendInTransaction(
            KafkaProducer<byte[], byte[]> producer, String topic, String prefix, int count, boolean commit) {
        producer.beginTransaction();
        for (int i = 0; i < count; i++) {
            producer.send(new ProducerRecord<>(topic, bytes(prefix + "-" + i)));
        }
        if (commit) {
            producer.commitTransaction();
        } else {
            producer.flush();
            producer.abortTransaction();
        }
    }

    private static KafkaConsumer<byte[], byte[]> consumer(boolean readCommitted) {
        Properties p = new Properties();
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, readCommitted ? "read_committed" : "read_uncommitted");
        return Clients.consumer(BROKER.bootstrapServers(), p);
    }

    /** Every record of the topic's partitions up to their end (the LSO under read_committed), by partition. */
    private static Map<Integer, List<String>> readToEnd(String topic, int partitions, boolean readCommitted) {
        Map<Integer, List<String>> out = new HashMap<>();
        List<TopicPartition> tps = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            tps.add(new TopicPartition(topic, p));
            out.put(p, new ArrayList<>());
        }
        try (KafkaConsumer<byte[], byte[]> c = consumer(readCommitted)) {
            c.assign(tps);
            c.seekToBeginning(tps);
            Map<TopicPartition, Long> end = c.endOffsets(tps);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!reached(c, end) && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    out.get(r.partition()).add(string(r.value()));
                }
            }
            assertThat(reached(c, end)).as("read %s to its end %s", topic, end).isTrue();
        }
        return out;
    }

    private static boolean reached(KafkaConsumer<byte[], byte[]> c, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (c.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    private static Long committedOffset(String group, TopicPartition tp) throws Exception {
        try (Admin admin = Clients.admin(BROKER)) {
            // require_stable: the markers of a just committed transaction may still be in flight.
            OffsetAndMetadata o = admin.listConsumerGroupOffsets(
                            group, new ListConsumerGroupOffsetsOptions().requireStable(true))
                    .partitionsToOffsetAndMetadata()
                    .get()
                    .get(tp);
            return o == null ? null : o.offset();
        }
    }

    private static List<String> values(String prefix, int count) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(prefix + "-" + i);
        }
        return out;
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String string(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
