package io.skiff.broker.handler;

import static org.assertj.core.api.Assertions.assertThat;

import io.skiff.broker.metadata.TopicImage;
import io.skiff.broker.network.PipelineServer;
import io.skiff.wire.message.CreateTopicsRequest;
import io.skiff.wire.message.CreateTopicsResponse;
import io.skiff.wire.protocol.ApiKeys;
import io.skiff.wire.protocol.Errors;
import io.skiff.wire.protocol.Uuid;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** CreateTopicsHandler through the request pipeline: what it creates and Kafka's validation errors. */
@Timeout(30)
class CreateTopicsHandlerTest {
    private static final int V = 7;

    @TempDir
    Path dir;

    private HandlerFixture broker;
    private PipelineServer.Connection client;

    @BeforeEach
    void start() throws Exception {
        broker = new HandlerFixture(dir, Map.of("num.partitions", "3", "log.retention.ms", "7200000"));
        client = broker.connect();
    }

    @AfterEach
    void stop() throws Exception {
        broker.close();
    }

    private static CreateTopicsRequest.CreatableTopic topic(String name, int partitions, int replication) {
        return new CreateTopicsRequest.CreatableTopic()
                .setName(name)
                .setNumPartitions(partitions)
                .setReplicationFactor((short) replication);
    }

    private List<CreateTopicsResponse.CreatableTopicResult> create(
            boolean validateOnly, CreateTopicsRequest.CreatableTopic... topics) throws Exception {
        CreateTopicsRequest request = new CreateTopicsRequest()
                .setTimeoutMs(10_000)
                .setValidateOnly(validateOnly)
                .setTopics(new ArrayList<>(List.of(topics)));
        return client.call(ApiKeys.CREATE_TOPICS, V, request, new CreateTopicsResponse())
                .topics();
    }

    private CreateTopicsResponse.CreatableTopicResult createOne(CreateTopicsRequest.CreatableTopic topic)
            throws Exception {
        List<CreateTopicsResponse.CreatableTopicResult> r = create(false, topic);
        assertThat(r).hasSize(1);
        assertThat(r.get(0).name()).isEqualTo(topic.name());
        return r.get(0);
    }

    private static void assertError(CreateTopicsResponse.CreatableTopicResult r, Errors error) {
        assertThat(Errors.forCode(r.errorCode())).isEqualTo(error);
        assertThat(r.errorMessage()).isNotBlank();
    }

    @Test
    void defaultsComeFromTheBrokerAndTheAnswerDescribesTheTopic() throws Exception {
        CreateTopicsResponse.CreatableTopicResult r = createOne(topic("fresh", -1, -1)
                .setConfigs(List.of(new CreateTopicsRequest.CreatableTopicConfig()
                        .setName("cleanup.policy")
                        .setValue("compact"))));
        assertThat(Errors.forCode(r.errorCode())).isEqualTo(Errors.NONE);
        TopicImage t = broker.metadata.image().topic("fresh");
        assertThat(r.topicId()).isEqualTo(t.id()).isNotEqualTo(Uuid.ZERO);
        assertThat(r.numPartitions()).isEqualTo(3);
        assertThat(r.replicationFactor()).isEqualTo((short) 1);
        assertThat(broker.partitions.partition(t, 2))
                .as("the partitions exist when the answer leaves")
                .isNotNull();
        CreateTopicsResponse.CreatableTopicConfigs policy = config(r, "cleanup.policy");
        assertThat(policy.value()).isEqualTo("compact");
        assertThat(policy.configSource()).as("DYNAMIC_TOPIC_CONFIG").isEqualTo((byte) 1);
        CreateTopicsResponse.CreatableTopicConfigs retention = config(r, "retention.ms");
        assertThat(retention.value()).isEqualTo("7200000");
        assertThat(retention.configSource()).as("STATIC_BROKER_CONFIG").isEqualTo((byte) 4);
        assertThat(config(r, "segment.bytes").configSource())
                .as("DEFAULT_CONFIG")
                .isEqualTo((byte) 5);
    }

    private static CreateTopicsResponse.CreatableTopicConfigs config(
            CreateTopicsResponse.CreatableTopicResult r, String name) {
        for (CreateTopicsResponse.CreatableTopicConfigs c : r.configs()) {
            if (c.name().equals(name)) {
                return c;
            }
        }
        throw new AssertionError("no " + name + " in " + r.configs());
    }

    @Test
    void moreThanTenThousandPartitionsInOneRequestAreRefusedWholeAsPolicyViolation() throws Exception {
        List<CreateTopicsResponse.CreatableTopicResult> r =
                create(false, topic("half", 5_000, 1), topic("other-half", 5_000, 1), topic("one-more", 1, 1));
        assertThat(r).hasSize(3).allSatisfy(t -> {
            assertError(t, Errors.POLICY_VIOLATION);
            assertThat(t.errorMessage()).isEqualTo("Excessively large number of partitions per request.");
        });
        assertThat(broker.metadata.image().topic("half")).isNull();
        assertThat(broker.metadata.image().topic("one-more")).isNull();
        assertError(createOne(topic("huge", Integer.MAX_VALUE, 1)), Errors.POLICY_VIOLATION);
        assertThat(broker.metadata.image().topic("huge")).isNull();
    }

    @Test
    void validateOnlyAnswersAsIfCreatedAndCreatesNothing() throws Exception {
        List<CreateTopicsResponse.CreatableTopicResult> r = create(true, topic("dry", 2, 1));
        assertThat(Errors.forCode(r.get(0).errorCode())).isEqualTo(Errors.NONE);
        assertThat(r.get(0).numPartitions()).isEqualTo(2);
        assertThat(broker.metadata.image().topic("dry")).isNull();
    }

    @Test
    void anExistingTopicIsAnsweredTopicAlreadyExists() throws Exception {
        broker.createTopic("exists", 1);
        CreateTopicsResponse.CreatableTopicResult r = createOne(topic("exists", 1, 1));
        assertError(r, Errors.TOPIC_ALREADY_EXISTS);
        assertThat(r.errorMessage()).isEqualTo("Topic 'exists' already exists.");
        assertThat(r.numPartitions()).isEqualTo(-1);
    }

    @Test
    void illegalAndCollidingNamesAreAnsweredInvalidTopic() throws Exception {
        broker.createTopic("a.b", 1);
        assertError(createOne(topic("bad name", 1, 1)), Errors.INVALID_TOPIC_EXCEPTION);
        assertError(createOne(topic("..", 1, 1)), Errors.INVALID_TOPIC_EXCEPTION);
        assertError(createOne(topic("x".repeat(250), 1, 1)), Errors.INVALID_TOPIC_EXCEPTION);
        CreateTopicsResponse.CreatableTopicResult collides = createOne(topic("a_b", 1, 1));
        assertError(collides, Errors.INVALID_TOPIC_EXCEPTION);
        assertThat(collides.errorMessage()).contains("collides with existing topic: a.b");
        assertThat(broker.metadata.image().topic("a_b")).isNull();
    }

    @Test
    void nonPositivePartitionsAndUnreachableReplicationFactorsAreRefused() throws Exception {
        assertError(createOne(topic("p0", 0, 1)), Errors.INVALID_PARTITIONS);
        assertError(createOne(topic("r0", 1, 0)), Errors.INVALID_REPLICATION_FACTOR);
        assertError(createOne(topic("r2", 1, 2)), Errors.INVALID_REPLICATION_FACTOR);
        assertThat(broker.metadata.image().topics()).isEmpty();
    }

    @Test
    void anInvalidConfigIsAnsweredInvalidConfig() throws Exception {
        assertError(
                createOne(topic("cfg", 1, 1)
                        .setConfigs(List.of(new CreateTopicsRequest.CreatableTopicConfig()
                                .setName("retention.ms")
                                .setValue("soon")))),
                Errors.INVALID_CONFIG);
        assertThat(broker.metadata.image().topic("cfg")).isNull();
    }

    @Test
    void manualAssignmentsAreCheckedAgainstTheRegisteredBrokers() throws Exception {
        int self = broker.config.nodeId();
        CreateTopicsResponse.CreatableTopicResult ok = createOne(topic("manual", -1, -1)
                .setAssignments(List.of(
                        new CreateTopicsRequest.CreatableReplicaAssignment()
                                .setPartitionIndex(0)
                                .setBrokerIds(List.of(self)),
                        new CreateTopicsRequest.CreatableReplicaAssignment()
                                .setPartitionIndex(1)
                                .setBrokerIds(List.of(self)))));
        assertThat(Errors.forCode(ok.errorCode())).isEqualTo(Errors.NONE);
        assertThat(broker.metadata.image().topic("manual").partitions()).isEqualTo(2);

        assertError(
                createOne(topic("elsewhere", -1, -1)
                        .setAssignments(List.of(new CreateTopicsRequest.CreatableReplicaAssignment()
                                .setPartitionIndex(0)
                                .setBrokerIds(List.of(self + 1))))),
                Errors.INVALID_REPLICA_ASSIGNMENT);
        assertError(
                createOne(topic("both", 1, -1)
                        .setAssignments(List.of(new CreateTopicsRequest.CreatableReplicaAssignment()
                                .setPartitionIndex(0)
                                .setBrokerIds(List.of(self))))),
                Errors.INVALID_REQUEST);
    }

    @Test
    void aTopicNamedTwiceInOneRequestIsRefusedAndTheOthersAreCreated() throws Exception {
        List<CreateTopicsResponse.CreatableTopicResult> r =
                create(false, topic("twice", 1, 1), topic("once", 1, 1), topic("twice", 2, 1));
        for (CreateTopicsResponse.CreatableTopicResult result : r) {
            Errors expected = result.name().equals("twice") ? Errors.INVALID_REQUEST : Errors.NONE;
            assertThat(Errors.forCode(result.errorCode())).as(result.name()).isEqualTo(expected);
        }
        assertThat(r)
                .extracting(CreateTopicsResponse.CreatableTopicResult::name)
                .contains("twice", "once");
        assertThat(broker.metadata.image().topic("twice")).isNull();
        assertThat(broker.metadata.image().topic("once")).isNotNull();
    }
}
