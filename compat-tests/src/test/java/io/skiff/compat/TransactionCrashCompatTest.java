package io.skiff.compat;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A broker process running transactional producers is killed with SIGKILL at least six times,
 * each time just after one of their transactions was seen in a chosen state (Ongoing,
 * PrepareCommit, PrepareAbort, in turn). Markers are written with fsync (durable mode), so the
 * prepare states last long enough to be seen. After the last restart: every transaction whose
 * commit was acknowledged is read by a read_committed consumer exactly once and in order, none
 * that was aborted or never committed is, a commit whose answer was lost is all or nothing, no
 * transaction is left open, and {@code kafka-transactions.sh find-hanging} finds none.
 */
@Timeout(value = 420, unit = TimeUnit.SECONDS)
class TransactionCrashCompatTest {
    private static final String TOPIC = "txn-crash";
    private static final int PARTITIONS = 12;
    private static final int RECORDS_PER_TXN = 24;
    private static final List<String> IDS = List.of("crash-a", "crash-b");
    private static final List<TransactionState> TARGETS =
            List.of(TransactionState.ONGOING, TransactionState.PREPARE_COMMIT, TransactionState.PREPARE_ABORT);
    private static final int KILLS = 6;

    /** What the producer knows of one of its transactions. */
    enum Outcome {
        /** Never committed (aborted, or the producer failed before calling commit). */
        NOT_COMMITTED,
        /** Commit called, answer lost: all of it or none of it may be there. */
        IN_DOUBT,
        COMMITTED
    }

    @Test
    void everyTransactionIsAtomicAndNoneHangsAfterSigkillsInEveryState(@TempDir Path dir) throws Exception {
        Map<TransactionState, Integer> seenBeforeKill = new EnumMap<>(TransactionState.class);
        Map<String, Outcome> outcomes = new ConcurrentHashMap<>();
        try (SkiffProcess broker = new SkiffProcess(dir)
                .with("skiff.log.durability", "fsync")
                .with("transaction.abort.timed.out.transaction.cleanup.interval.ms", "500")) {
            broker.start();
            try (Admin admin = Clients.admin(broker.bootstrapServers())) {
                admin.createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, (short) 1)))
                        .all()
                        .get();
            }
            AtomicBoolean stop = new AtomicBoolean();
            List<Thread> workers = new ArrayList<>();
            for (String id : IDS) {
                Thread t = new Thread(() -> work(broker.bootstrapServers(), id, outcomes, stop), "txn-" + id);
                t.setDaemon(true);
                t.start();
                workers.add(t);
            }
            for (int k = 0; k < KILLS; k++) {
                TransactionState target = TARGETS.get(k % TARGETS.size());
                if (awaitState(broker.bootstrapServers(), target)) {
                    seenBeforeKill.merge(target, 1, Integer::sum);
                }
                broker.kill();
                broker.start();
                awaitCommits(outcomes, 2);
            }
            stop.set(true);
            for (Thread t : workers) {
                t.join(TimeUnit.SECONDS.toMillis(120));
                assertThat(t.isAlive()).as(t.getName() + " stopped").isFalse();
            }
            awaitNoOpenTransaction(broker.bootstrapServers());
            KafkaTool.Result hanging = KafkaTool.run(
                    "org.apache.kafka.tools.TransactionsCommand",
                    "--bootstrap-server",
                    broker.bootstrapServers(),
                    "find-hanging",
                    "--broker-id",
                    "1");
            assertThat(hanging.exitCode()).as(hanging.output()).isZero();
            assertThat(hanging.output().lines().filter(l -> l.contains(TOPIC)))
                    .as(hanging.output())
                    .isEmpty();
            checkLog(broker.bootstrapServers(), outcomes);
        }
        System.out.println("transaction states seen just before the SIGKILLs: " + seenBeforeKill);
        assertThat(seenBeforeKill).as("kills during an open transaction").containsKey(TransactionState.ONGOING);
    }

    /** Runs transactions until {@code stop}; every third one is aborted; restarts its producer on failure. */
    private static void work(String bootstrap, String id, Map<String, Outcome> outcomes, AtomicBoolean stop) {
        int txn = 0;
        while (!stop.get()) {
            KafkaProducer<byte[], byte[]> producer = null;
            try {
                producer = producer(bootstrap, id);
                producer.initTransactions();
                while (!stop.get()) {
                    txn++;
                    String name = id + ":" + txn;
                    outcomes.put(name, Outcome.NOT_COMMITTED);
                    producer.beginTransaction();
                    for (int i = 0; i < RECORDS_PER_TXN; i++) {
                        byte[] v = (name + ":" + i).getBytes(StandardCharsets.UTF_8);
                        producer.send(new ProducerRecord<>(TOPIC, i % PARTITIONS, null, v));
                    }
                    if (txn % 3 == 0) {
                        producer.abortTransaction();
                    } else {
                        outcomes.put(name, Outcome.IN_DOUBT);
                        producer.commitTransaction();
                        outcomes.put(name, Outcome.COMMITTED);
                    }
                }
            } catch (RuntimeException e) {
                // The broker died under us: this transaction's outcome stays as recorded.
            } finally {
                if (producer != null) {
                    producer.close(Duration.ZERO);
                }
            }
        }
    }

    private static KafkaProducer<byte[], byte[]> producer(String bootstrap, String id) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, id);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 2);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 20_000);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 20_000);
        p.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 10_000);
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** Polls the coordinator until one of the producers' transactions is in {@code state}; false after 20 s. */
    private static boolean awaitState(String bootstrap, TransactionState state) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        try (Admin admin = Clients.admin(bootstrap)) {
            while (System.nanoTime() < deadline) {
                try {
                    Map<String, TransactionDescription> d =
                            admin.describeTransactions(IDS).all().get(5, TimeUnit.SECONDS);
                    if (d.values().stream().anyMatch(t -> t.state() == state)) {
                        return true;
                    }
                } catch (Exception e) {
                    // not loaded yet, or an id not seen yet: ask again
                }
            }
        }
        return false;
    }

    private static void awaitCommits(Map<String, Outcome> outcomes, int more) {
        long before =
                outcomes.values().stream().filter(o -> o == Outcome.COMMITTED).count();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline
                && outcomes.values().stream()
                                .filter(o -> o == Outcome.COMMITTED)
                                .count()
                        < before + more) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
        assertThat(outcomes.values().stream()
                        .filter(o -> o == Outcome.COMMITTED)
                        .count())
                .as("commits after a restart")
                .isGreaterThanOrEqualTo(before + more);
    }

    private static void awaitNoOpenTransaction(String bootstrap) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        Map<String, TransactionDescription> d;
        try (Admin admin = Clients.admin(bootstrap)) {
            do {
                d = admin.describeTransactions(IDS).all().get(30, TimeUnit.SECONDS);
            } while (System.nanoTime() < deadline && d.values().stream().anyMatch(t -> isOpen(t.state())));
        }
        assertThat(d.values())
                .allSatisfy(t -> assertThat(isOpen(t.state())).as(t.toString()).isFalse());
    }

    private static boolean isOpen(TransactionState s) {
        return s == TransactionState.ONGOING
                || s == TransactionState.PREPARE_COMMIT
                || s == TransactionState.PREPARE_ABORT
                || s == TransactionState.PREPARE_EPOCH_FENCE;
    }

    /** Reads the topic with read_committed and checks each transaction against its outcome. */
    private static void checkLog(String bootstrap, Map<String, Outcome> outcomes) {
        Map<String, List<String>> byTxn = new HashMap<>();
        Map<Integer, List<String>> byPartition = new HashMap<>();
        Properties p = new Properties();
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<byte[], byte[]> c = Clients.consumer(bootstrap, p)) {
            List<TopicPartition> tps = new ArrayList<>();
            for (int i = 0; i < PARTITIONS; i++) {
                tps.add(new TopicPartition(TOPIC, i));
            }
            c.assign(tps);
            c.seekToBeginning(tps);
            Map<TopicPartition, Long> end = c.endOffsets(tps);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline && tps.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    String v = new String(r.value(), StandardCharsets.UTF_8);
                    String txn = v.substring(0, v.lastIndexOf(':'));
                    byTxn.computeIfAbsent(txn, k -> new ArrayList<>()).add(v);
                    byPartition
                            .computeIfAbsent(r.partition(), k -> new ArrayList<>())
                            .add(v);
                }
            }
        }
        for (Map.Entry<String, Outcome> e : outcomes.entrySet()) {
            List<String> seen = byTxn.getOrDefault(e.getKey(), List.of());
            switch (e.getValue()) {
                case COMMITTED ->
                    assertThat(seen).as(e.getKey()).hasSize(RECORDS_PER_TXN).doesNotHaveDuplicates();
                case NOT_COMMITTED -> assertThat(seen).as(e.getKey()).isEmpty();
                case IN_DOUBT -> assertThat(seen.size()).as(e.getKey()).isIn(0, RECORDS_PER_TXN);
            }
        }
        assertThat(outcomes.keySet()).containsAll(byTxn.keySet());
        // Within a partition one producer's transactions appear in the order it ran them.
        for (List<String> values : byPartition.values()) {
            Map<String, Integer> lastTxn = new HashMap<>();
            for (String v : values) {
                String[] parts = v.split(":");
                int txn = Integer.parseInt(parts[1]);
                Integer last = lastTxn.put(parts[0], txn);
                assertThat(last == null || last <= txn).as("order of " + v).isTrue();
            }
        }
    }
}
