package io.skiff.broker.handler;

import static org.assertj.core.api.Assertions.assertThat;

import io.skiff.broker.network.PipelineServer;
import io.skiff.wire.message.CreatePartitionsRequest;
import io.skiff.wire.message.CreatePartitionsResponse;
import io.skiff.wire.protocol.ApiKeys;
import io.skiff.wire.protocol.Errors;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** CreatePartitionsHandler through the request pipeline: growth and Kafka's validation errors. */
@Timeout(30)
class CreatePartitionsHandlerTest {
    private static final int V = 3;

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

    private static CreatePartitionsRequest.CreatePartitionsTopic grow(String name, int count) {
        return new CreatePartitionsRequest.CreatePartitionsTopic()
                .setName(name)
                .setCount(count)
                .setAssignments(null);
    }

    private List<CreatePartitionsResponse.CreatePartitionsTopicResult> send(
            boolean validateOnly, CreatePartitionsRequest.CreatePartitionsTopic... topics) throws Exception {
        CreatePartitionsRequest request = new CreatePartitionsRequest()
                .setTimeoutMs(10_000)
                .setValidateOnly(validateOnly)
                .setTopics(new ArrayList<>(List.of(topics)));
        return client.call(ApiKeys.CREATE_PARTITIONS, V, request, new CreatePartitionsResponse())
                .results();
    }

    private CreatePartitionsResponse.CreatePartitionsTopicResult one(CreatePartitionsRequest.CreatePartitionsTopic t)
            throws Exception {
        List<CreatePartitionsResponse.CreatePartitionsTopicResult> r = send(false, t);
        assertThat(r).hasSize(1);
        assertThat(r.get(0).name()).isEqualTo(t.name());
        return r.get(0);
    }

    private int partitionCount() {
        return broker.metadata.image().topic("t").partitions();
    }

    @Test
    void aTopicGrowsAndItsNewPartitionsAreHosted() throws Exception {
        assertThat(Errors.forCode(one(grow("t", 4)).errorCode())).isEqualTo(Errors.NONE);
        assertThat(partitionCount()).isEqualTo(4);
        broker.partition("t", 3);
    }

    @Test
    void addingMoreThanTenThousandPartitionsInOneRequestFailsTheWholeRequest() throws Exception {
        // 5,001 + 5,000 new partitions
        broker.createTopic("u", 1);
        List<CreatePartitionsResponse.CreatePartitionsTopicResult> r = send(false, grow("t", 5_003), grow("u", 5_001));
        assertThat(r).hasSize(2).allSatisfy(t -> {
            assertThat(Errors.forCode(t.errorCode())).isEqualTo(Errors.UNKNOWN_SERVER_ERROR);
            assertThat(t.errorMessage()).isEqualTo("Excessively large number of partitions per request.");
        });
        assertThat(partitionCount()).isEqualTo(2);
        assertThat(Errors.forCode(one(grow("t", Integer.MAX_VALUE)).errorCode()))
                .isEqualTo(Errors.UNKNOWN_SERVER_ERROR);
        assertThat(partitionCount()).isEqualTo(2);
        // exactly the limit is allowed (validated only: ten thousand logs would take a while to open)
        assertThat(Errors.forCode(send(true, grow("t", 10_002)).get(0).errorCode()))
                .isEqualTo(Errors.NONE);
        assertThat(Errors.forCode(send(true, grow("t", 10_003)).get(0).errorCode()))
                .isEqualTo(Errors.UNKNOWN_SERVER_ERROR);
    }

    @Test
    void validateOnlyChangesNothing() throws Exception {
        assertThat(Errors.forCode(send(true, grow("t", 4)).get(0).errorCode())).isEqualTo(Errors.NONE);
        assertThat(partitionCount()).isEqualTo(2);
    }

    @Test
    void shrinkingOrKeepingTheCountIsAnsweredInvalidPartitions() throws Exception {
        CreatePartitionsResponse.CreatePartitionsTopicResult fewer = one(grow("t", 1));
        assertThat(Errors.forCode(fewer.errorCode())).isEqualTo(Errors.INVALID_PARTITIONS);
        assertThat(fewer.errorMessage())
                .isEqualTo("Topic currently has 2 partitions, which is higher than the requested 1.");
        CreatePartitionsResponse.CreatePartitionsTopicResult same = one(grow("t", 2));
        assertThat(Errors.forCode(same.errorCode())).isEqualTo(Errors.INVALID_PARTITIONS);
        assertThat(same.errorMessage()).isEqualTo("Topic already has 2 partition(s).");
        assertThat(partitionCount()).isEqualTo(2);
    }

    @Test
    void anUnknownTopicIsAnsweredUnknownTopicOrPartition() throws Exception {
        assertThat(Errors.forCode(one(grow("nope", 3)).errorCode())).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION);
    }

    @Test
    void aTopicNamedTwiceIsAnInvalidRequest() throws Exception {
        List<CreatePartitionsResponse.CreatePartitionsTopicResult> r = send(false, grow("t", 3), grow("t", 4));
        assertThat(r).allSatisfy(x -> assertThat(Errors.forCode(x.errorCode())).isEqualTo(Errors.INVALID_REQUEST));
        assertThat(partitionCount()).isEqualTo(2);
    }

    @Test
    void assignmentsMustCoverTheNewPartitionsWithRegisteredBrokers() throws Exception {
        int self = broker.config.nodeId();
        CreatePartitionsRequest.CreatePartitionsTopic tooFew = grow("t", 4)
                .setAssignments(
                        List.of(new CreatePartitionsRequest.CreatePartitionsAssignment().setBrokerIds(List.of(self))));
        assertThat(Errors.forCode(one(tooFew).errorCode())).isEqualTo(Errors.INVALID_REPLICA_ASSIGNMENT);
        CreatePartitionsRequest.CreatePartitionsTopic elsewhere = grow("t", 3)
                .setAssignments(List.of(
                        new CreatePartitionsRequest.CreatePartitionsAssignment().setBrokerIds(List.of(self + 7))));
        assertThat(Errors.forCode(one(elsewhere).errorCode())).isEqualTo(Errors.INVALID_REPLICA_ASSIGNMENT);
        assertThat(partitionCount()).isEqualTo(2);
        CreatePartitionsRequest.CreatePartitionsTopic ok = grow("t", 3)
                .setAssignments(
                        List.of(new CreatePartitionsRequest.CreatePartitionsAssignment().setBrokerIds(List.of(self))));
        assertThat(Errors.forCode(one(ok).errorCode())).isEqualTo(Errors.NONE);
        assertThat(partitionCount()).isEqualTo(3);
    }
}
