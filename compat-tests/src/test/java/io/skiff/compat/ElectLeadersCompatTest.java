package io.skiff.compat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.ElectionNotNeededException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * ElectLeaders against three Skiff processes (combined nodes, metadata on Apache Ratis), with the
 * real kafka-clients Admin: the preferred leader of a replication-factor-3 partition is SIGKILLed
 * and restarted, so another replica leads; once it is back in the ISR a PREFERRED election makes it
 * lead again, a second one answers ElectionNotNeededException, and an UNCLEAN election on a
 * partition that has a leader answers ElectionNotNeededException too.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ElectLeadersCompatTest {
    private static final String CLUSTER_ID = "El8Qw0cxTqmy8NnrRZb1vB";
    private static final int NODES = 3;
    private static final String TOPIC = "elected";

    @TempDir
    Path dir;

    private final List<SkiffProcess> nodes = new ArrayList<>();
    private final List<Admin> admins = new ArrayList<>();

    @AfterEach
    void stopAll() throws Exception {
        for (Admin a : admins) {
            a.close(Duration.ofSeconds(5));
        }
        for (SkiffProcess p : nodes) {
            p.close();
        }
    }

    private void startCluster() throws Exception {
        for (SkiffProcess p : SkiffProcess.combinedNodes(dir, NODES)) {
            p.with("replica.lag.time.max.ms", "5000").with("default.replication.factor", "3");
            nodes.add(p);
            KafkaTool.Result r = p.format(CLUSTER_ID);
            assertThat(r.exitCode()).as(r.output()).isZero();
        }
        for (SkiffProcess p : nodes) {
            p.startInBackground();
        }
        for (SkiffProcess p : nodes) {
            p.awaitListening();
            admins.add(Clients.admin(p.bootstrapServers()));
        }
        eventually(
                "all three brokers registered",
                () -> admins.get(0).describeCluster().nodes().get().size() == NODES);
    }

    private static void eventually(String what, Callable<Boolean> check) throws Exception {
        Eventually.until(what, Duration.ofSeconds(90), check);
    }

    private TopicPartitionInfo describe() throws Exception {
        for (int i = 0; i < NODES; i++) {
            if (!nodes.get(i).isAlive()) {
                continue;
            }
            try {
                return admins.get(i)
                        .describeTopics(List.of(TOPIC))
                        .allTopicNames()
                        .get(10, TimeUnit.SECONDS)
                        .get(TOPIC)
                        .partitions()
                        .get(0);
            } catch (ExecutionException | TimeoutException e) {
                // try the next node
            }
        }
        throw new ExecutionException(new IllegalStateException("no live node describes " + TOPIC));
    }

    private static Set<Integer> ids(List<Node> nodes) {
        Set<Integer> out = new HashSet<>();
        for (Node n : nodes) {
            out.add(n.id());
        }
        return out;
    }

    @Test
    void preferredElectionMovesLeadershipBackAndIsThenNotNeeded() throws Exception {
        startCluster();
        admins.get(0)
                .createTopics(List.of(new NewTopic(TOPIC, 1, (short) 3)))
                .all()
                .get(30, TimeUnit.SECONDS);
        eventually("a leader and a full ISR", () -> {
            TopicPartitionInfo p = describe();
            return p.leader() != null && p.leader().id() >= 1 && ids(p.isr()).equals(Set.of(1, 2, 3));
        });
        int preferred = describe().replicas().get(0).id();
        assertThat(describe().leader().id()).isEqualTo(preferred);

        nodes.get(preferred - 1).kill();
        eventually("another leader after the SIGKILL of " + preferred, () -> {
            Node now = describe().leader();
            return now != null && now.id() >= 1 && now.id() != preferred;
        });
        nodes.get(preferred - 1).startInBackground();
        nodes.get(preferred - 1).awaitListening();
        eventually(
                "broker " + preferred + " back in the ISR",
                () -> ids(describe().isr()).equals(Set.of(1, 2, 3)));
        assertThat(describe().leader().id()).as("leader before the election").isNotEqualTo(preferred);

        TopicPartition tp = new TopicPartition(TOPIC, 0);
        Admin admin = admins.get((preferred) % NODES);
        Map<TopicPartition, Optional<Throwable>> first = admin.electLeaders(ElectionType.PREFERRED, Set.of(tp))
                .partitions()
                .get(30, TimeUnit.SECONDS);
        assertThat(first.get(tp)).as("first preferred election").isEmpty();
        eventually("preferred replica " + preferred + " leads again", () -> {
            Node now = describe().leader();
            return now != null && now.id() == preferred;
        });

        assertThatThrownBy(() -> admin.electLeaders(ElectionType.PREFERRED, Set.of(tp))
                        .all()
                        .get(30, TimeUnit.SECONDS))
                .hasCauseInstanceOf(ElectionNotNeededException.class);
        assertThatThrownBy(() -> admin.electLeaders(ElectionType.UNCLEAN, Set.of(tp))
                        .all()
                        .get(30, TimeUnit.SECONDS))
                .hasCauseInstanceOf(ElectionNotNeededException.class);
    }
}
