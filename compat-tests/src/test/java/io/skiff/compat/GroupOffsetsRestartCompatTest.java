package io.skiff.compat;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Offsets committed with commitSync and commitAsync survive a restart of the broker process: a
 * group that comes back afterwards starts each partition exactly at its committed offset, so no
 * record is skipped and none is read again except those read after the last commit (the
 * uncommitted window). The broker runs as a child process on a fixed port.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class GroupOffsetsRestartCompatTest {
    private static final String TOPIC = "resume";
    private static final String GROUP = "resume-group";
    private static final int PARTITIONS = 6;
    /** Records read after the last commit, per partition. */
    private static final int UNCOMMITTED_WINDOW = 5;

    private static final int AFTER_RESTART = 7;

    @ParameterizedTest(name = "{0} protocol, broker stopped by {1}")
    @CsvSource({"classic, SIGTERM", "consumer, SIGTERM", "classic, SIGKILL", "consumer, SIGKILL"})
    void eachMemberResumesExactlyAtItsCommittedOffsetsAfterABrokerRestart(
            String protocol, String signal, @TempDir Path dir) throws Exception {
        try (SkiffProcess broker = new SkiffProcess(dir)
                .with("group.initial.rebalance.delay.ms", "0")
                .with("group.min.session.timeout.ms", "1000")
                .with("group.consumer.heartbeat.interval.ms", "500")) {
            broker.start();
            String bootstrap = broker.bootstrapServers();
            try (Admin admin = Clients.admin(bootstrap)) {
                admin.createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, (short) 1)))
                        .all()
                        .get();
            }
            // Phase 1: one member commits synchronously, two asynchronously, after every poll.
            List<GroupMember> first = new ArrayList<>();
            first.add(GroupMember.start("sync", bootstrap, TOPIC, props(protocol), GroupMember.CommitMode.SYNC));
            first.add(GroupMember.start("async-1", bootstrap, TOPIC, props(protocol), GroupMember.CommitMode.ASYNC));
            first.add(GroupMember.start("async-2", bootstrap, TOPIC, props(protocol), GroupMember.CommitMode.ASYNC));
            GroupMember.await(
                    () -> "three members owning two partitions each: " + first,
                    60,
                    () -> Groups.disjointCover(first, 2));
            // Partition p gets 10 * (p + 1) records, so that a partition mixed up with another shows.
            Map<TopicPartition, Long> committed = new HashMap<>();
            int[] counts = new int[PARTITIONS];
            for (int p = 0; p < PARTITIONS; p++) {
                counts[p] = 10 * (p + 1);
                committed.put(new TopicPartition(TOPIC, p), (long) counts[p]);
            }
            produce(bootstrap, counts);
            GroupMember.await(
                    () -> "every member to have committed all it owns: " + confirmed(first),
                    60,
                    () -> confirmed(first).equals(committed));
            assertThat(committedOffsets(bootstrap))
                    .as("committed offsets seen by the admin client")
                    .isEqualTo(committed);

            // The uncommitted window: read, never committed.
            for (GroupMember m : first) {
                m.commitMode(GroupMember.CommitMode.NONE);
            }
            int[] window = new int[PARTITIONS];
            java.util.Arrays.fill(window, UNCOMMITTED_WINDOW);
            produce(bootstrap, window);
            GroupMember.await(() -> "the members to read the uncommitted window", 60, () -> {
                for (GroupMember m : first) {
                    for (int p : m.partitions()) {
                        long last = committed.get(new TopicPartition(TOPIC, p)) + UNCOMMITTED_WINDOW - 1;
                        if (!m.reads().contains(new GroupMember.Read(new TopicPartition(TOPIC, p), last))) {
                            return false;
                        }
                    }
                }
                return true;
            });
            for (GroupMember m : first) {
                m.close();
                assertThat(m.failure()).as("%s's poll loop", m.name()).isNull();
            }
            assertThat(committedOffsets(bootstrap))
                    .as("nothing committed by the window")
                    .isEqualTo(committed);

            if (signal.equals("SIGKILL")) {
                broker.kill();
            } else {
                // The JVM reports 143 (128 + SIGTERM) after running its shutdown hook.
                assertThat(broker.stop()).as("exit status after SIGTERM").isIn(0, 143);
            }
            broker.start();
            assertThat(committedOffsets(bootstrap))
                    .as("committed offsets after the restart")
                    .isEqualTo(committed);
            int[] more = new int[PARTITIONS];
            java.util.Arrays.fill(more, AFTER_RESTART);
            produce(bootstrap, more);

            // Phase 2: a new generation of members settles first, then reads.
            List<GroupMember> second = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                second.add(GroupMember.startHolding(
                        "after-" + i, bootstrap, TOPIC, props(protocol), GroupMember.CommitMode.NONE));
            }
            try {
                GroupMember.await(
                        () -> "three new members owning two partitions each: " + second,
                        60,
                        () -> Groups.disjointCover(second, 2));
                for (GroupMember m : second) {
                    m.release();
                }
                int perPartitionToRead = UNCOMMITTED_WINDOW + AFTER_RESTART;
                GroupMember.await(() -> "the new members to read to the end", 60, () -> {
                    int total = 0;
                    for (GroupMember m : second) {
                        total += m.reads().size();
                    }
                    return total >= PARTITIONS * perPartitionToRead;
                });
                for (GroupMember m : second) {
                    Map<Integer, List<Long>> byPartition = new HashMap<>();
                    for (GroupMember.Read r : m.reads()) {
                        byPartition
                                .computeIfAbsent(r.partition().partition(), k -> new ArrayList<>())
                                .add(r.offset());
                    }
                    assertThat(byPartition.keySet())
                            .as("%s reads only what it owns", m.name())
                            .containsExactlyInAnyOrderElementsOf(m.partitions());
                    for (Map.Entry<Integer, List<Long>> e : byPartition.entrySet()) {
                        long from = committed.get(new TopicPartition(TOPIC, e.getKey()));
                        List<Long> expected = new ArrayList<>();
                        for (long o = from; o < from + perPartitionToRead; o++) {
                            expected.add(o);
                        }
                        assertThat(e.getValue())
                                .as(
                                        "%s's offsets of partition %d: from the committed offset %d on, " + "each once",
                                        m.name(), e.getKey(), from)
                                .isEqualTo(expected);
                    }
                }
            } finally {
                for (GroupMember m : second) {
                    m.close();
                }
            }
        }
    }

    @ParameterizedTest(name = "{0} protocol")
    @CsvSource({"classic", "consumer"})
    void membersThatStayUpWhileTheBrokerIsKilledKeepTheirPartitionsAndReadOnFromWhereTheyWere(
            String protocol, @TempDir Path dir) throws Exception {
        try (SkiffProcess broker = new SkiffProcess(dir)
                .with("group.initial.rebalance.delay.ms", "0")
                .with("group.min.session.timeout.ms", "1000")
                .with("group.consumer.heartbeat.interval.ms", "500")) {
            broker.start();
            String bootstrap = broker.bootstrapServers();
            try (Admin admin = Clients.admin(bootstrap)) {
                admin.createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, (short) 1)))
                        .all()
                        .get();
            }
            List<GroupMember> members = new ArrayList<>();
            members.add(GroupMember.start("sync", bootstrap, TOPIC, props(protocol), GroupMember.CommitMode.SYNC));
            members.add(GroupMember.start("async-1", bootstrap, TOPIC, props(protocol), GroupMember.CommitMode.ASYNC));
            members.add(GroupMember.start("async-2", bootstrap, TOPIC, props(protocol), GroupMember.CommitMode.ASYNC));
            try {
                GroupMember.await(
                        () -> "three members owning two partitions each: " + members,
                        60,
                        () -> Groups.disjointCover(members, 2));
                int[] ten = new int[PARTITIONS];
                java.util.Arrays.fill(ten, 10);
                produce(bootstrap, ten);
                Map<TopicPartition, Long> all = new HashMap<>();
                for (int p = 0; p < PARTITIONS; p++) {
                    all.put(new TopicPartition(TOPIC, p), 10L);
                }
                GroupMember.await(
                        () -> "every member to have committed all it owns: " + confirmed(members),
                        60,
                        () -> confirmed(members).equals(all));
                Map<String, java.util.Set<Integer>> before = new HashMap<>();
                for (GroupMember m : members) {
                    before.put(m.name(), m.partitions());
                }

                // A classic group's leader rejoins once after the restart (Apache Kafka 4.3.1 does the
                // same: a new generation, the same members, the same assignment).
                broker.kill();
                broker.start();
                produce(bootstrap, ten);
                GroupMember.await(
                        () -> "the members to read what was written after the restart: " + members, 60, () -> {
                            int total = 0;
                            for (GroupMember m : members) {
                                total += m.reads().size();
                            }
                            return total >= PARTITIONS * 20;
                        });
                // On a loaded machine a member may be in the middle of a rebalance at this moment (an
                // eager classic rebalance empties every assignment until SyncGroup); the assignment
                // it settles on must be the one it had.
                GroupMember.await(
                        () -> "the members to settle on their assignment of before the restart: " + members, 60, () -> {
                            for (GroupMember m : members) {
                                if (!m.partitions().equals(before.get(m.name()))) {
                                    return false;
                                }
                            }
                            return true;
                        });
                for (GroupMember m : members) {
                    assertThat(m.partitions())
                            .as("%s's partitions after the restart", m.name())
                            .isEqualTo(before.get(m.name()));
                    assertThat(m.failure()).as("%s's poll loop", m.name()).isNull();
                    Map<Integer, List<Long>> byPartition = new HashMap<>();
                    for (GroupMember.Read r : m.reads()) {
                        byPartition
                                .computeIfAbsent(r.partition().partition(), k -> new ArrayList<>())
                                .add(r.offset());
                    }
                    List<Long> zeroToTwenty = new ArrayList<>();
                    for (long o = 0; o < 20; o++) {
                        zeroToTwenty.add(o);
                    }
                    for (int p : before.get(m.name())) {
                        assertThat(byPartition.get(p))
                                .as("%s's offsets of partition %d, each once", m.name(), p)
                                .isEqualTo(zeroToTwenty);
                    }
                }
            } finally {
                for (GroupMember m : members) {
                    m.close();
                }
            }
        }
    }

    private static Properties props(String protocol) {
        Properties p = new Properties();
        p.put(ConsumerConfig.GROUP_ID_CONFIG, GROUP);
        p.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, protocol);
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 3);
        if (protocol.equals("classic")) {
            p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 6000);
            p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 200);
        }
        return p;
    }

    /** What the members' commits confirmed, for the partitions each owns now. */
    private static Map<TopicPartition, Long> confirmed(List<GroupMember> members) {
        Map<TopicPartition, Long> out = new HashMap<>();
        for (GroupMember m : members) {
            Map<TopicPartition, Long> mine = m.committed();
            for (TopicPartition tp : m.assignment()) {
                if (mine.containsKey(tp)) {
                    out.put(tp, mine.get(tp));
                }
            }
        }
        return out;
    }

    private static Map<TopicPartition, Long> committedOffsets(String bootstrap) throws Exception {
        try (Admin admin = Clients.admin(bootstrap)) {
            Map<TopicPartition, Long> out = new HashMap<>();
            for (Map.Entry<TopicPartition, OffsetAndMetadata> e : admin.listConsumerGroupOffsets(GROUP)
                    .partitionsToOffsetAndMetadata()
                    .get()
                    .entrySet()) {
                out.put(e.getKey(), e.getValue().offset());
            }
            return out;
        }
    }

    private static void produce(String bootstrap, int[] perPartition) throws Exception {
        List<java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata>> acks = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = Clients.producer(bootstrap, "1")) {
            for (int p = 0; p < perPartition.length; p++) {
                for (int i = 0; i < perPartition[p]; i++) {
                    acks.add(producer.send(new ProducerRecord<>(
                            TOPIC, p, null, ("p" + p + "-" + i).getBytes(StandardCharsets.UTF_8))));
                }
            }
            producer.flush();
            for (var ack : acks) {
                ack.get();
            }
        }
    }
}
