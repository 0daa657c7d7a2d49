package io.skiff.compat;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.RangeAssignor;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Three kafka-clients consumers in one group on a six-partition topic, with each way a group can
 * assign: the classic protocol with the client-side range and cooperative-sticky assignors, and
 * the consumer protocol (KIP-848) with the server-side uniform and range assignors. The members
 * own disjoint partitions that cover the topic, read only what they own, and take over the
 * partitions of a member that leaves or whose process dies.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class GroupAssignmentCompatTest {
    static final int PARTITIONS = Groups.PARTITIONS;
    /** The session timeout of a consumer-protocol member (a broker setting) and of a classic child member. */
    static final int SESSION_TIMEOUT_MS = 3000;

    @RegisterExtension
    static final SkiffBrokerExtension BROKER = Groups.broker(SESSION_TIMEOUT_MS);

    /** How the group assigns: the protocol and the assignor. */
    enum Flavour {
        CLASSIC_RANGE(
                "classic",
                Map.of(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, RangeAssignor.class.getName()),
                true),
        CLASSIC_COOPERATIVE_STICKY(
                "classic",
                Map.of(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName()),
                false),
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

    static List<GroupMember> startMembers(Flavour flavour, String group, String topic, int count) {
        List<GroupMember> members = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            members.add(GroupMember.start(
                    group + "-m" + i,
                    BROKER.bootstrapServers(),
                    topic,
                    flavour.memberProperties(group),
                    GroupMember.CommitMode.SYNC));
        }
        return members;
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void threeMembersOwnDisjointPartitionsCoveringTheTopicAndReadOnlyThose(Flavour flavour) throws Exception {
        String topic = Groups.newTopic(BROKER, "cover");
        String group = "cover-" + flavour.name().toLowerCase();
        List<GroupMember> members = startMembers(flavour, group, topic, 3);
        try {
            Groups.awaitDisjointCover(members, 2);
            if (flavour.contiguousRanges) {
                Set<TreeSet<Integer>> owned = new HashSet<>();
                for (GroupMember m : members) {
                    owned.add(m.partitions());
                }
                assertThat(owned)
                        .as("range gives each member a contiguous range")
                        .containsExactlyInAnyOrder(
                                new TreeSet<>(List.of(0, 1)),
                                new TreeSet<>(List.of(2, 3)),
                                new TreeSet<>(List.of(4, 5)));
            }
            Groups.produce(BROKER.bootstrapServers(), topic, 10);
            Groups.awaitEachReadsOnlyItsOwn(members, 0, 10);
            int total = 0;
            for (GroupMember m : members) {
                total += m.reads().size();
            }
            assertThat(total).as("every record read once").isEqualTo(PARTITIONS * 10);
        } finally {
            Groups.closeAll(members);
        }
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void memberThatClosesLosesItsPartitionsToTheOthers(Flavour flavour) throws Exception {
        String topic = Groups.newTopic(BROKER, "leave");
        String group = "leave-" + flavour.name().toLowerCase();
        List<GroupMember> members = startMembers(flavour, group, topic, 3);
        try {
            Groups.awaitDisjointCover(members, 2);
            Groups.produce(BROKER.bootstrapServers(), topic, 10);
            Groups.awaitEachReadsOnlyItsOwn(members, 0, 10);
            GroupMember leaving = members.remove(2);
            Set<Integer> itsPartitions = leaving.partitions();
            leaving.close();
            Groups.awaitDisjointCover(members, 3);
            Set<Integer> takenOver = new HashSet<>();
            for (GroupMember m : members) {
                takenOver.addAll(m.partitions());
            }
            assertThat(takenOver).containsAll(itsPartitions);
            Groups.produce(BROKER.bootstrapServers(), topic, 10);
            Groups.awaitEachReadsOnlyItsOwn(members, 10, 20);
        } finally {
            Groups.closeAll(members);
        }
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void memberWhoseProcessIsKilledLosesItsPartitionsAfterTheSessionTimeout(Flavour flavour) throws Exception {
        String topic = Groups.newTopic(BROKER, "killed");
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
            GroupMember.await(
                    () -> "the child and " + members + " to own two partitions each; child said: " + out.text(),
                    60,
                    () -> Groups.failFast(members)
                            && Groups.disjointCover(
                                    List.of(
                                            members.get(0).partitions(),
                                            members.get(1).partitions(),
                                            out.assigned()),
                                    2));
            Set<Integer> childPartitions = out.assigned();
            child.destroyForcibly();
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
            Groups.awaitDisjointCover(members, 3);
            Set<Integer> takenOver = new HashSet<>();
            for (GroupMember m : members) {
                takenOver.addAll(m.partitions());
            }
            assertThat(takenOver).containsAll(childPartitions);
            Groups.produce(BROKER.bootstrapServers(), topic, 10);
            Groups.awaitEachReadsOnlyItsOwn(members, 0, 10);
        } finally {
            child.destroyForcibly();
            Groups.closeAll(members);
        }
    }

    /** Reads a {@link GroupMemberMain}'s output on a thread; keeps its latest assignment. */
    static final class ChildOutput {
        private final StringBuffer text = new StringBuffer();
        private volatile Set<Integer> assigned = Set.of();

        ChildOutput(Process child) {
            Thread t = new Thread(
                    () -> {
                        try (BufferedReader r = new BufferedReader(
                                new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                            String line;
                            while ((line = r.readLine()) != null) {
                                text.append(line).append('\n');
                                if (line.startsWith("ASSIGNED ")) {
                                    Set<Integer> s = new TreeSet<>();
                                    for (String p :
                                            line.substring("ASSIGNED ".length()).split(",")) {
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
                    },
                    "child-output");
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
