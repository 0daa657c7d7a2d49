package io.skiff.compat;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Apache Kafka's {@code kafka-consumer-groups} tool (ConsumerGroupCommand, from kafka-tools
 * 4.3.1, in a child JVM) against Skiff: --list, --describe with the lag of each partition,
 * --reset-offsets --to-earliest --execute and --delete, with the output and the refusals Kafka
 * gives. The exact lines were taken from the same commands against Apache Kafka 4.3.1.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ConsumerGroupCommandCompatTest {
    private static final String CGC = "org.apache.kafka.tools.consumer.group.ConsumerGroupCommand";

    @RegisterExtension
    static final SkiffBrokerExtension BROKER = Groups.broker(6000);

    /** Runs the tool against the broker; returns its output without the log lines of the child JVM. */
    private static KafkaTool.Result cgc(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("--bootstrap-server", BROKER.bootstrapServers()));
        all.addAll(List.of(args));
        KafkaTool.Result r = KafkaTool.run(CGC, all.toArray(new String[0]));
        StringBuilder kept = new StringBuilder();
        for (String line : r.output().split("\n", -1)) {
            if (!line.startsWith("[") && !line.startsWith("SLF4J")) {
                kept.append(line).append('\n');
            }
        }
        System.out.println(
                "$ kafka-consumer-groups " + String.join(" ", args) + " (exit " + r.exitCode() + ")\n" + kept);
        return new KafkaTool.Result(r.exitCode(), kept.toString());
    }

    /** The rows of a table the tool printed under the header line starting with {@code firstColumn}, split on blanks. */
    private static List<List<String>> table(String output, String header) {
        List<List<String>> rows = new ArrayList<>();
        boolean in = false;
        for (String line : output.split("\n")) {
            if (line.startsWith(header)) {
                in = true;
                rows.add(List.of(line.trim().split("\\s+")));
            } else if (in && line.isBlank()) {
                break;
            } else if (in) {
                rows.add(List.of(line.trim().split("\\s+")));
            }
        }
        assertThat(rows)
                .as("a table with the header %s in:%n%s", header, output)
                .isNotEmpty();
        return rows;
    }

    /** A six-partition topic with 100 records in each partition. */
    private static String topicWithRecords(String prefix) throws Exception {
        String topic = Groups.newTopic(BROKER, prefix);
        Groups.produce(BROKER.bootstrapServers(), topic, 100);
        return topic;
    }

    private static void commit(String group, String topic, long... perPartition) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (int p = 0; p < perPartition.length; p++) {
            offsets.put(new TopicPartition(topic, p), new OffsetAndMetadata(perPartition[p]));
        }
        try (Admin admin = Clients.admin(BROKER)) {
            admin.alterConsumerGroupOffsets(group, offsets).all().get();
        }
    }

    /** A member that joins and holds its partitions without reading or committing anything. */
    private static GroupMember idleMember(String group, String topic, String protocol) throws InterruptedException {
        Properties p = new Properties();
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, protocol);
        GroupMember m = GroupMember.startHolding(
                group + "-client", BROKER.bootstrapServers(), topic, p, GroupMember.CommitMode.NONE);
        GroupMember.await(
                () -> "the member to own the six partitions: " + m,
                60,
                () -> m.partitions().size() == 6);
        return m;
    }

    @Test
    void listPrintsEveryGroupWithItsStateAndType() throws Exception {
        String topic = topicWithRecords("cgc-list");
        commit("cgc-list-empty", topic, 1, 1, 1, 1, 1, 1);
        GroupMember active = idleMember("cgc-list-active", topic, "consumer");
        try {
            KafkaTool.Result list = cgc("--list");
            assertThat(list.exitCode()).isZero();
            assertThat(list.output().lines()).contains("cgc-list-empty", "cgc-list-active");

            KafkaTool.Result states = cgc("--list", "--state");
            Map<String, String> stateOf = new HashMap<>();
            for (List<String> row : table(states.output(), "GROUP")) {
                stateOf.put(row.get(0), row.get(1));
            }
            assertThat(stateOf)
                    .containsEntry("GROUP", "STATE")
                    .containsEntry("cgc-list-empty", "Empty")
                    .containsEntry("cgc-list-active", "Stable");

            KafkaTool.Result types = cgc("--list", "--type");
            Map<String, String> typeOf = new HashMap<>();
            for (List<String> row : table(types.output(), "GROUP")) {
                typeOf.put(row.get(0), row.get(1));
            }
            assertThat(typeOf)
                    .containsEntry("GROUP", "TYPE")
                    .containsEntry("cgc-list-empty", "Classic")
                    .containsEntry("cgc-list-active", "Consumer");
        } finally {
            active.close();
        }
    }

    @Test
    void describePrintsCurrentOffsetLogEndAndLagOfEachPartition() throws Exception {
        String topic = topicWithRecords("cgc-describe");
        String group = "cgc-describe";
        commit(group, topic, 10, 20, 30, 40, 50, 100);

        KafkaTool.Result inactive = cgc("--describe", "--group", group);
        assertThat(inactive.exitCode()).isZero();
        assertThat(inactive.output()).contains("\nConsumer group '" + group + "' has no active members.\n");
        List<List<String>> rows = table(inactive.output(), "GROUP");
        assertThat(rows.get(0))
                .containsExactly(
                        "GROUP",
                        "TOPIC",
                        "PARTITION",
                        "CURRENT-OFFSET",
                        "LOG-END-OFFSET",
                        "LAG",
                        "CONSUMER-ID",
                        "HOST",
                        "CLIENT-ID");
        List<List<String>> expected = new ArrayList<>();
        long[] current = {10, 20, 30, 40, 50, 100};
        for (int p = 0; p < 6; p++) {
            expected.add(List.of(
                    group,
                    topic,
                    Integer.toString(p),
                    Long.toString(current[p]),
                    "100",
                    Long.toString(100 - current[p]),
                    "-",
                    "-",
                    "-"));
        }
        assertThat(rows.subList(1, rows.size())).containsExactlyInAnyOrderElementsOf(expected);

        GroupMember member = idleMember(group, topic, "classic");
        try {
            KafkaTool.Result active = cgc("--describe", "--group", group);
            assertThat(active.output()).doesNotContain("has no active members");
            List<List<String>> activeRows = table(active.output(), "GROUP");
            for (List<String> row : activeRows.subList(1, activeRows.size())) {
                int p = Integer.parseInt(row.get(2));
                assertThat(row)
                        .as("partition %d", p)
                        .containsExactly(
                                group,
                                topic,
                                row.get(2),
                                Long.toString(current[p]),
                                "100",
                                Long.toString(100 - current[p]),
                                member.memberId(),
                                "/127.0.0.1",
                                group + "-client");
            }
            assertThat(activeRows).hasSize(7);

            KafkaTool.Result state = cgc("--describe", "--group", group, "--state");
            List<List<String>> stateRows = table(state.output(), "GROUP");
            // GROUP COORDINATOR (ID) ASSIGNMENT-STRATEGY STATE #MEMBERS
            assertThat(stateRows.get(1))
                    .containsExactly(group, BROKER.bootstrapServers(), "(" + nodeId() + ")", "range", "Stable", "1");

            KafkaTool.Result members = cgc("--describe", "--group", group, "--members");
            List<List<String>> memberRows = table(members.output(), "GROUP");
            assertThat(memberRows.get(0)).containsExactly("GROUP", "CONSUMER-ID", "HOST", "CLIENT-ID", "#PARTITIONS");
            assertThat(memberRows.get(1))
                    .containsExactly(group, member.memberId(), "/127.0.0.1", group + "-client", "6");
        } finally {
            member.close();
        }
    }

    @Test
    void describeOfAnUnknownGroupSaysItWasNotFound() throws Exception {
        KafkaTool.Result r = cgc("--describe", "--group", "cgc-never-existed");
        assertThat(r.output())
                .contains(
                        "Error: Executing consumer group command failed due to "
                                + "org.apache.kafka.common.errors.GroupIdNotFoundException: Group cgc-never-existed not found.");
    }

    @Test
    void resetOffsetsToEarliestMovesEachPartitionToItsLogStartOnlyWhenTheGroupIsInactive() throws Exception {
        String topic = topicWithRecords("cgc-reset");
        String group = "cgc-reset";
        commit(group, topic, 60, 60, 60, 60, 60, 60);
        try (Admin admin = Clients.admin(BROKER)) {
            admin.deleteRecords(Map.of(new TopicPartition(topic, 1), RecordsToDelete.beforeOffset(25)))
                    .all()
                    .get();
        }
        GroupMember member = idleMember(group, topic, "consumer");
        try {
            KafkaTool.Result refused =
                    cgc("--reset-offsets", "--to-earliest", "--execute", "--group", group, "--topic", topic);
            assertThat(refused.output())
                    .contains("Error: Assignments can only be reset if the group '" + group
                            + "' is inactive, but the current state is Stable.");
        } finally {
            member.close();
        }
        assertThat(committed(group, topic))
                .as("nothing reset while the group was active")
                .containsExactly(60L, 60L, 60L, 60L, 60L, 60L);

        KafkaTool.Result dryRun = cgc("--reset-offsets", "--to-earliest", "--group", group, "--topic", topic);
        assertThat(dryRun.output()).contains("WARN: No action will be performed as the --execute option is missing.");
        assertThat(committed(group, topic))
                .as("nothing reset by a dry run")
                .containsExactly(60L, 60L, 60L, 60L, 60L, 60L);

        KafkaTool.Result reset =
                cgc("--reset-offsets", "--to-earliest", "--execute", "--group", group, "--topic", topic);
        assertThat(reset.exitCode()).isZero();
        List<List<String>> rows = table(reset.output(), "GROUP");
        assertThat(rows.get(0)).containsExactly("GROUP", "TOPIC", "PARTITION", "NEW-OFFSET");
        List<List<String>> expected = new ArrayList<>();
        for (int p = 0; p < 6; p++) {
            expected.add(List.of(group, topic, Integer.toString(p), p == 1 ? "25" : "0"));
        }
        assertThat(rows.subList(1, rows.size())).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(committed(group, topic)).containsExactly(0L, 25L, 0L, 0L, 0L, 0L);
    }

    @Test
    void deleteRefusesAnActiveGroupAndDeletesAnEmptyOne() throws Exception {
        String topic = topicWithRecords("cgc-delete");
        String group = "cgc-delete";
        GroupMember member = idleMember(group, topic, "classic");
        try {
            KafkaTool.Result refused = cgc("--delete", "--group", group);
            assertThat(refused.output())
                    .contains(
                            "Error: Deletion of some consumer groups failed:\n* Group '" + group
                                    + "' could not be deleted due to: org.apache.kafka.common.errors.GroupNotEmptyException: The group is not empty.");
        } finally {
            member.close();
        }
        commit(group, topic, 5, 5, 5, 5, 5, 5);
        KafkaTool.Result deleted = cgc("--delete", "--group", group);
        assertThat(deleted.exitCode()).isZero();
        assertThat(deleted.output())
                .contains("Deletion of requested consumer groups ('" + group + "') was successful.");
        assertThat(cgc("--list").output().lines()).doesNotContain(group);
        assertThat(cgc("--delete", "--group", group).output())
                .contains(
                        "* Group '" + group
                                + "' could not be deleted due to: org.apache.kafka.common.errors.GroupIdNotFoundException: The group id does not exist.");
    }

    private static List<Long> committed(String group, String topic) throws Exception {
        try (Admin admin = Clients.admin(BROKER)) {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata()
                    .get();
            List<Long> out = new ArrayList<>();
            for (int p = 0; p < 6; p++) {
                OffsetAndMetadata o = offsets.get(new TopicPartition(topic, p));
                out.add(o == null ? null : o.offset());
            }
            return out;
        }
    }

    private static int nodeId() throws Exception {
        try (Admin admin = Clients.admin(BROKER)) {
            return admin.describeCluster().nodes().get().iterator().next().id();
        }
    }
}
