package io.skiff.compat;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/** What the group tests share: six-partition topics, producing to them, and conditions on {@link GroupMember}s. */
final class Groups {
    static final int PARTITIONS = 6;
    private static final AtomicInteger TOPICS = new AtomicInteger();

    private Groups() {}

    /**
     * Broker settings that let groups form and fail over in seconds, as tests need: no initial
     * rebalance delay, short session timeouts allowed, consumer-protocol heartbeats every 500 ms.
     */
    static SkiffBrokerExtension broker(int consumerSessionTimeoutMs) {
        return new SkiffBrokerExtension()
                .with("group.initial.rebalance.delay.ms", "0")
                .with("group.min.session.timeout.ms", "1000")
                .with("group.consumer.heartbeat.interval.ms", "500")
                .with("group.consumer.session.timeout.ms", Integer.toString(consumerSessionTimeoutMs));
    }

    /** Creates a six-partition topic with a fresh name starting with {@code prefix}. */
    static String newTopic(SkiffBrokerExtension broker, String prefix) throws Exception {
        String topic = prefix + "-" + TOPICS.incrementAndGet();
        try (Admin admin = Clients.admin(broker)) {
            admin.createTopics(List.of(new NewTopic(topic, PARTITIONS, (short) 1)))
                    .all()
                    .get();
        }
        return topic;
    }

    /**
     * Appends {@code perPartition} records to every partition and waits until each is acknowledged
     * (acks=1 without idempotence: a partition that is not ready yet just right after its topic
     * was created is retried without sequence trouble).
     */
    static void produce(String bootstrap, String topic, int perPartition) throws Exception {
        List<Future<RecordMetadata>> acks = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = Clients.producer(bootstrap, "1")) {
            for (int i = 0; i < perPartition; i++) {
                for (int p = 0; p < PARTITIONS; p++) {
                    acks.add(producer.send(new ProducerRecord<>(
                            topic, p, null, ("p" + p + "-" + i).getBytes(StandardCharsets.UTF_8))));
                }
            }
            producer.flush();
            for (Future<RecordMetadata> ack : acks) {
                ack.get();
            }
        }
    }

    /** True when the members' assignments are disjoint, cover every partition, and each holds {@code each}. */
    static boolean disjointCover(List<GroupMember> members, int each) {
        List<Set<Integer>> owned = new ArrayList<>();
        for (GroupMember m : members) {
            owned.add(m.partitions());
        }
        return disjointCover(owned, each);
    }

    static boolean disjointCover(Collection<Set<Integer>> owned, int each) {
        Set<Integer> union = new HashSet<>();
        for (Set<Integer> mine : owned) {
            if (mine.size() != each) {
                return false;
            }
            union.addAll(mine);
        }
        return union.size() == PARTITIONS;
    }

    static void awaitDisjointCover(List<GroupMember> members, int each) throws InterruptedException {
        GroupMember.await(
                () -> "each of " + members + " to own " + each + " of " + PARTITIONS + " partitions",
                60,
                () -> failFast(members) && disjointCover(members, each));
    }

    static boolean failFast(List<GroupMember> members) {
        for (GroupMember m : members) {
            if (m.failure() != null) {
                throw new AssertionError(m.name() + "'s poll loop failed", m.failure());
            }
        }
        return true;
    }

    /** Each member has read every record at or above {@code fromOffset} of what it owns, and nothing it does not own. */
    static void awaitEachReadsOnlyItsOwn(List<GroupMember> members, int fromOffset, int toOffset)
            throws InterruptedException {
        GroupMember.await(
                () -> "the members to read offsets " + fromOffset + ".." + (toOffset - 1) + " of their partitions",
                60,
                () -> {
                    for (GroupMember m : members) {
                        Set<Long> seen = new HashSet<>();
                        for (GroupMember.Read r : m.reads()) {
                            if (r.offset() >= fromOffset) {
                                seen.add(r.partition().partition() * 1_000_000L + r.offset());
                            }
                        }
                        if (seen.size() < m.partitions().size() * (toOffset - fromOffset)) {
                            return false;
                        }
                    }
                    return true;
                });
        for (GroupMember m : members) {
            Set<Integer> owned = m.partitions();
            for (GroupMember.Read r : m.reads()) {
                if (r.offset() >= fromOffset) {
                    assertThat(owned)
                            .as(
                                    "%s read %s-%d at offset %d",
                                    m.name(),
                                    r.partition().topic(),
                                    r.partition().partition(),
                                    r.offset())
                            .contains(r.partition().partition());
                }
            }
        }
    }

    static void closeAll(List<GroupMember> members) throws InterruptedException {
        for (GroupMember m : members) {
            m.close();
        }
    }
}
