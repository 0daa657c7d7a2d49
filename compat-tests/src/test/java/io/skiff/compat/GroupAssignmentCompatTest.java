package io.skiff.compat;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.RangeAssignor;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Three kafka-clients consumers in one group on a six-partition topic, with each way a group can
 * assign: the classic protocol with the client-side range and cooperative-sticky assignors, and
 * the consumer protocol (KIP-848) with the server-side uniform and range assignors. The members
 * own disjoint partitions that cover the topic, read only what they own, and take over the
 * partitions of a member that leaves or whose process dies.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class GroupAssignmentCompatTest {
    static final int PARTITIONS = 6;
    /** The session timeout of a consumer-protocol member (a broker setting) and of a classic child member. */
    static final int SESSION_TIMEOUT_MS = 3000;

    @RegisterExtension
    static final SkiffBrokerExtension BROKER = groupBroker();
    private static final AtomicInteger TOPICS = new AtomicInteger();

    /** A broker with settings that let groups form and fail over in seconds, as tests need. */
    static SkiffBrokerExtension groupBroker() {
        return new SkiffBrokerExtension()
            .with("group.initial.rebalance.delay.ms", "0")
            .with("group.min.session.timeout.ms", "1000")
            .with("group.consumer.heartbeat.interval.ms", "500")
            .with("group.consumer.session.timeout.ms", Integer.toString(SESSION_TIMEOUT_MS));
    }

    /** How the group assigns: the protocol and the assignor. */
    enum Flavour {
        CLASSIC_RANGE("classic", Map.of(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, RangeAssignor.class.getName()),
            true),
        CLASSIC_COOPERATIVE_STICKY("classic",
            Map.of(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName()), false),
        /** The broker's default server-side assignor, uniform. */
        CONSUMER_UNIFORM("consumer", Map.of(), false),
        CONSUMER_RANGE("consumer", Map.of(ConsumerConfig.GROUP_REMOTE_ASSIGNOR_CONFIG, "range"), true);

        final String protocol;
        final Map<String, String> settings;
        final boolean contiguousRanges;

        Flavour(String protocol, Map<String, String> settings, boolean contiguousRanges) {
            this.protocol = protocol;
            this.settings = settings;
            this.contiguousRanges = contiguousRanges;
        }

        boolean classic() {
            return protocol.equals("classic");
        }

        /** Consumer settings for a member of {@code group}; classic members get a short heartbeat interval. */
        Properties memberProperties(String group) {
            Properties p = new Properties();
            p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
            p.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, protocol);
            if (classic()) {
                p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 6000);
                p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 200);
            }
            p.putAll(settings);
            return p;
        }
    }

    static String newTopic(String prefix) throws Exception {
        String topic = prefix + "-" + TOPICS.incrementAndGet();
        try (Admin admin = Clients.admin(BROKER)) {
            admin.createTopics(List.of(new NewTopic(topic, PARTITIONS, (short) 1))).all().get();
        }
        return topic;
    }

    /** Appends {@code perPartition} records to every partition and waits for the acknowledgements. */
    static void produce(String bootstrap, String topic, int perPartition) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = Clients.producer(bootstrap, "all")) {
            for (int i = 0; i < perPartition; i++) {
                for (int p = 0; p < PARTITIONS; p++) {
                    producer.send(new ProducerRecord<>(topic, p, null, ("p" + p + "-" + i).getBytes(StandardCharsets.UTF_8)));
                }
            }
            producer.flush();
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

    static List<GroupMember> startMembers(Flavour flavour, String group, String topic, int count) {
        List<GroupMember> members = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            members.add(GroupMember.start(group + "-m" + i, BROKER.bootstrapServers(), topic,
                flavour.memberProperties(group), GroupMember.CommitMode.SYNC));
        }
        return members;
    }

    static void awaitDisjointCover(List<GroupMember> members, int each) throws InterruptedException {
        GroupMember.await(() -> "each of " + members + " to own " + each + " of " + PARTITIONS + " partitions", 60,
            () -> failFast(members) && disjointCover(members, each));
    }

    private static boolean failFast(List<GroupMember> members) {
        for (GroupMember m : members) {
            if (m.failure() != null) {
                throw new AssertionError(m.name() + "'s poll loop failed", m.failure());
            }
        }
        return true;
    }

    /** Each member has read every record at or above {@code fromOffset} of what it owns, and nothing it does not own. */
    static void awaitEachReadsOnlyItsOwn(List<GroupMember> members, int fromOffset, int toOffset) throws InterruptedException {
        GroupMember.await(() -> "the members to read offsets " + fromOffset + ".." + (toOffset - 1) + " of their partitions", 60,
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
                    assertThat(owned).as("%s read %s-%d at offset %d", m.name(), r.partition().topic(),
                        r.partition().partition(), r.offset()).contains(r.partition().partition());
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void threeMembersOwnDisjointPartitionsCoveringTheTopicAndReadOnlyThose(Flavour flavour) throws Exception {
        String topic = newTopic("cover");
        String group = "cover-" + flavour.name().toLowerCase();
        List<GroupMember> members = startMembers(flavour, group, topic, 3);
        try {
            awaitDisjointCover(members, 2);
            if (flavour.contiguousRanges) {
                Set<TreeSet<Integer>> owned = new HashSet<>();
                for (GroupMember m : members) {
                    owned.add(m.partitions());
                }
                assertThat(owned).as("range gives each member a contiguous range")
                    .containsExactlyInAnyOrder(new TreeSet<>(List.of(0, 1)), new TreeSet<>(List.of(2, 3)),
                        new TreeSet<>(List.of(4, 5)));
            }
            produce(BROKER.bootstrapServers(), topic, 10);
            awaitEachReadsOnlyItsOwn(members, 0, 10);
            int total = 0;
            for (GroupMember m : members) {
                total += m.reads().size();
            }
            assertThat(total).as("every record read once").isEqualTo(PARTITIONS * 10);
        } finally {
            closeAll(members);
        }
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void memberThatClosesLosesItsPartitionsToTheOthers(Flavour flavour) throws Exception {
        String topic = newTopic("leave");
        String group = "leave-" + flavour.name().toLowerCase();
        List<GroupMember> members = startMembers(flavour, group, topic, 3);
        try {
            awaitDisjointCover(members, 2);
            produce(BROKER.bootstrapServers(), topic, 10);
            awaitEachReadsOnlyItsOwn(members, 0, 10);
            GroupMember leaving = members.remove(2);
            Set<Integer> itsPartitions = leaving.partitions();
            leaving.close();
            awaitDisjointCover(members, 3);
            Set<Integer> takenOver = new HashSet<>();
            for (GroupMember m : members) {
                takenOver.addAll(m.partitions());
            }
            assertThat(takenOver).containsAll(itsPartitions);
            produce(BROKER.bootstrapServers(), topic, 10);
            awaitEachReadsOnlyItsOwn(members, 10, 20);
        } finally {
            closeAll(members);
        }
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void memberWhoseProcessIsKilledLosesItsPartitionsAfterTheSessionTimeout(Flavour flavour) throws Exception {
        String topic = newTopic("killed");
        String group = "killed-" + flavour.name().toLowerCase();
        List<String> args = new ArrayList<>(List.of(BROKER.bootstrapServers(), topic));
        Properties childProps = flavour.memberProperties(group);
        if (flavour.classic()) {
            childProps.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, SESSION_TIMEOUT_MS);
        }
        childProps.put(ConsumerConfig.CLIENT_ID_CONFIG, group + "-child");
        childProps.forEach((k, v) -> args.add(k + "=" + v));
        Process child = KafkaTool.start(GroupMemberMain.class.getName(), args.toArray(new String[0]));
        ChildOutput out = new ChildOutput(child);
        List<GroupMember> members = startMembers(flavour, group, topic, 2);
        try {
            GroupMember.await(() -> "the child and " + members + " to own two partitions each; child said: " + out.text(), 60,
                () -> failFast(members) && disjointCover(List.of(members.get(0).partitions(), members.get(1).partitions(),
                    out.assigned()), 2));
            Set<Integer> childPartitions = out.assigned();
            child.destroyForcibly();
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
            awaitDisjointCover(members, 3);
            Set<Integer> takenOver = new HashSet<>();
            for (GroupMember m : members) {
                takenOver.addAll(m.partitions());
            }
            assertThat(takenOver).containsAll(childPartitions);
            produce(BROKER.bootstrapServers(), topic, 10);
            awaitEachReadsOnlyItsOwn(members, 0, 10);
        } finally {
            child.destroyForcibly();
            closeAll(members);
        }
    }

    static void closeAll(List<GroupMember> members) throws InterruptedException {
        for (GroupMember m : members) {
            m.close();
        }
    }

    /** Reads a {@link GroupMemberMain}'s output on a thread; keeps its latest assignment. */
    static final class ChildOutput {
        private final StringBuffer text = new StringBuffer();
        private volatile Set<Integer> assigned = Set.of();

        ChildOutput(Process child) {
            Thread t = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(),
                    StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        text.append(line).append('\n');
                        if (line.startsWith("ASSIGNED ")) {
                            Set<Integer> s = new TreeSet<>();
                            for (String p : line.substring("ASSIGNED ".length()).split(",")) {
                                if (!p.isEmpty()) {
                                    s.add(Integer.parseInt(p));
                                }
                            }
                            assigned = s;
                        }
                    }
                } catch (java.io.IOException ended) {
                    // the child was killed
                }
            }, "child-output");
            t.setDaemon(true);
            t.start();
        }

        Set<Integer> assigned() {
            return assigned;
        }

        String text() {
            return text.toString();
        }
    }
}
