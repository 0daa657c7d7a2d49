package io.skiff.compat;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The automatic preferred-leader rebalance against three Skiff processes (combined nodes, metadata
 * on Apache Ratis) with {@code leader.imbalance.check.interval.seconds=2}: a broker that is the
 * preferred leader of some partitions of a replication-factor-3 topic is SIGKILLed, so others lead
 * them, and restarted; once it is back in every ISR the active controller moves those leaderships
 * back to it with no ElectLeaders request. With {@code auto.leader.rebalance.enable=false} they stay
 * where they are, asserted after the active controller logged three more imbalance checks.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class LeaderRebalanceCompatTest {
    private static final String CLUSTER_ID = "Rb4Lq0cxTqmy8NnrRZb1vC";
    private static final int NODES = 3;
    private static final int PARTITIONS = 6;
    private static final String TOPIC = "rebalanced";
    private static final Pattern DISABLED_CHECK =
            Pattern.compile("Leader imbalance check \\d+: .* auto\\.leader\\.rebalance\\.enable is false");

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

    private void startCluster(boolean rebalance) throws Exception {
        for (SkiffProcess p : SkiffProcess.combinedNodes(dir, NODES)) {
            p.with("replica.lag.time.max.ms", "5000")
                    .with("leader.imbalance.check.interval.seconds", "2")
                    .with("auto.leader.rebalance.enable", Boolean.toString(rebalance));
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
        admins.get(0)
                .createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, (short) 3)))
                .all()
                .get(30, TimeUnit.SECONDS);
        eventually("every partition led by its preferred replica with a full ISR", () -> {
            for (TopicPartitionInfo p : describe()) {
                if (p.leader() == null
                        || p.leader().id() != p.replicas().get(0).id()
                        || !ids(p.isr()).equals(Set.of(1, 2, 3))) {
                    return false;
                }
            }
            return true;
        });
    }

    private static void eventually(String what, Callable<Boolean> check) throws Exception {
        Eventually.until(what, Duration.ofSeconds(90), check);
    }

    private List<TopicPartitionInfo> describe() throws Exception {
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
                        .partitions();
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

    /** The partitions whose preferred (first) replica is {@code broker}. */
    private List<Integer> preferredBy(int broker) throws Exception {
        List<Integer> out = new ArrayList<>();
        for (TopicPartitionInfo p : describe()) {
            if (p.replicas().get(0).id() == broker) {
                out.add(p.partition());
            }
        }
        return out;
    }

    /** How many of {@code partitions} {@code broker} leads. */
    private int ledBy(int broker, List<Integer> partitions) throws Exception {
        int n = 0;
        for (TopicPartitionInfo p : describe()) {
            if (partitions.contains(p.partition())
                    && p.leader() != null
                    && p.leader().id() == broker) {
                n++;
            }
        }
        return n;
    }

    /** SIGKILLs the preferred leader of partition 0, waits for others to lead, restarts it; returns it. */
    private int killAndRestartAPreferredLeader() throws Exception {
        int broker = describe().get(0).replicas().get(0).id();
        List<Integer> preferred = preferredBy(broker);
        nodes.get(broker - 1).kill();
        eventually(
                "other brokers lead partitions " + preferred + " after the SIGKILL of " + broker,
                () -> describe().stream()
                        .filter(p -> preferred.contains(p.partition()))
                        .allMatch(p -> p.leader() != null
                                && p.leader().id() >= 1
                                && p.leader().id() != broker));
        nodes.get(broker - 1).startInBackground();
        nodes.get(broker - 1).awaitListening();
        eventually(
                "broker " + broker + " back in every ISR",
                () -> describe().stream().allMatch(p -> ids(p.isr()).equals(Set.of(1, 2, 3))));
        return broker;
    }

    private int disabledChecksLogged() throws Exception {
        int n = 0;
        for (SkiffProcess p : nodes) {
            Matcher m = DISABLED_CHECK.matcher(p.output());
            while (m.find()) {
                n++;
            }
        }
        return n;
    }

    @Test
    void leadershipReturnsToTheRestartedPreferredReplicaWithoutElectLeaders() throws Exception {
        startCluster(true);
        int broker = killAndRestartAPreferredLeader();
        List<Integer> preferred = preferredBy(broker);
        assertThat(preferred).isNotEmpty();
        eventually(
                "broker " + broker + " leads its preferred partitions " + preferred + " again",
                () -> ledBy(broker, preferred) == preferred.size());
        assertThat(describe())
                .allSatisfy(p -> assertThat(p.leader().id())
                        .as("leader of partition " + p.partition())
                        .isEqualTo(p.replicas().get(0).id()));
        assertThat(disabledChecksLogged()).isZero();
    }

    @Test
    void withTheRebalanceDisabledLeadershipStaysAfterSeveralChecks() throws Exception {
        startCluster(false);
        int broker = killAndRestartAPreferredLeader();
        List<Integer> preferred = preferredBy(broker);
        int before = disabledChecksLogged();
        eventually("three more leader imbalance checks logged", () -> disabledChecksLogged() >= before + 3);
        assertThat(ledBy(broker, preferred))
                .as("partitions " + preferred + " led by their restarted preferred replica " + broker)
                .isZero();
    }
}
