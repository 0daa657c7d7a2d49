package io.skiff.broker.handler;

import static org.assertj.core.api.Assertions.assertThat;

import io.skiff.broker.network.PipelineServer;
import io.skiff.wire.message.ElectLeadersRequest;
import io.skiff.wire.message.ElectLeadersResponse;
import io.skiff.wire.protocol.ApiKeys;
import io.skiff.wire.protocol.Errors;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** ElectLeadersHandler on a single node through the request pipeline: its only replica already leads. */
@Timeout(30)
class ElectLeadersHandlerTest {
    private static final int V = 2;

    @TempDir
    Path dir;

    private HandlerFixture broker;
    private PipelineServer.Connection client;

    @BeforeEach
    void start() throws Exception {
        broker = new HandlerFixture(dir);
        broker.createTopic("t", 2);
        client = broker.connect();
    }

    @AfterEach
    void stop() throws Exception {
        broker.close();
    }

    private ElectLeadersResponse send(byte type, List<ElectLeadersRequest.TopicPartitions> topics) throws Exception {
        ElectLeadersRequest request = new ElectLeadersRequest()
                .setElectionType(type)
                .setTimeoutMs(10_000)
                .setTopicPartitions(topics);
        return client.call(ApiKeys.ELECT_LEADERS, V, request, new ElectLeadersResponse());
    }

    private static List<ElectLeadersRequest.TopicPartitions> partitions(String topic, Integer... ps) {
        return new ArrayList<>(List.of(
                new ElectLeadersRequest.TopicPartitions().setTopic(topic).setPartitions(new ArrayList<>(List.of(ps)))));
    }

    @Test
    void preferredAndUncleanElectionsAreNotNeededOnASingleNode() throws Exception {
        for (byte type : new byte[] {0, 1}) {
            ElectLeadersResponse r = send(type, partitions("t", 0, 1));
            assertThat(Errors.forCode(r.errorCode())).isEqualTo(Errors.NONE);
            assertThat(r.replicaElectionResults()).hasSize(1);
            assertThat(r.replicaElectionResults().get(0).topic()).isEqualTo("t");
            assertThat(r.replicaElectionResults().get(0).partitionResult())
                    .extracting(p -> Errors.forCode(p.errorCode()))
                    .containsExactly(Errors.ELECTION_NOT_NEEDED, Errors.ELECTION_NOT_NEEDED);
        }
    }

    @Test
    void unknownTopicsAndPartitionsAreReported() throws Exception {
        List<ElectLeadersRequest.TopicPartitions> topics = partitions("t", 7);
        topics.addAll(partitions("missing", 0));
        ElectLeadersResponse r = send((byte) 0, topics);
        assertThat(r.replicaElectionResults())
                .flatExtracting(ElectLeadersResponse.ReplicaElectionResult::partitionResult)
                .extracting(p -> Errors.forCode(p.errorCode()))
                .containsExactly(Errors.UNKNOWN_TOPIC_OR_PARTITION, Errors.UNKNOWN_TOPIC_OR_PARTITION);
    }

    @Test
    void allPartitionsLeavesOutThoseAlreadyLedByTheirPreferredReplica() throws Exception {
        ElectLeadersResponse r = send((byte) 0, null);
        assertThat(Errors.forCode(r.errorCode())).isEqualTo(Errors.NONE);
        assertThat(r.replicaElectionResults()).isEmpty();
    }

    @Test
    void withoutAlterOnTheClusterEveryPartitionIsRefused(@TempDir Path other) throws Exception {
        try (HandlerFixture secured = new HandlerFixture(
                other, Map.of("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer"))) {
            ElectLeadersRequest request = new ElectLeadersRequest()
                    .setElectionType((byte) 0)
                    .setTimeoutMs(10_000)
                    .setTopicPartitions(partitions("t", 0, 1));
            ElectLeadersResponse r =
                    secured.connect().call(ApiKeys.ELECT_LEADERS, V, request, new ElectLeadersResponse());
            assertThat(Errors.forCode(r.errorCode())).isEqualTo(Errors.CLUSTER_AUTHORIZATION_FAILED);
            assertThat(r.replicaElectionResults())
                    .flatExtracting(ElectLeadersResponse.ReplicaElectionResult::partitionResult)
                    .extracting(p -> Errors.forCode(p.errorCode()))
                    .containsExactly(Errors.CLUSTER_AUTHORIZATION_FAILED, Errors.CLUSTER_AUTHORIZATION_FAILED);
        }
    }
}
