package io.skiff.compat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AccessControlEntryFilter;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.SecurityDisabledException;
import org.apache.kafka.common.message.DescribeProducersRequestData;
import org.apache.kafka.common.message.DescribeProducersResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourcePatternFilter;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The ACL APIs without an authorizer and DescribeProducers, answered as Apache Kafka does. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AclsAndProducersCompatTest {
    @RegisterExtension
    static final SkiffBrokerExtension BROKER = new SkiffBrokerExtension();

    @Test
    void aclApisAnswerSecurityDisabledWithoutAnAuthorizer() throws Exception {
        AclBinding binding = new AclBinding(
                new ResourcePattern(ResourceType.TOPIC, "t", PatternType.LITERAL),
                new AccessControlEntry("User:alice", "*", AclOperation.READ, AclPermissionType.ALLOW));
        try (Admin admin = Clients.admin(BROKER)) {
            assertThatThrownBy(() ->
                            admin.describeAcls(AclBindingFilter.ANY).values().get())
                    .isInstanceOf(ExecutionException.class)
                    .cause()
                    .isInstanceOf(SecurityDisabledException.class)
                    .hasMessage("No Authorizer is configured on the broker");
            assertThatThrownBy(() -> admin.createAcls(List.of(binding)).all().get())
                    .cause()
                    .isInstanceOf(SecurityDisabledException.class)
                    .hasMessage("No Authorizer is configured on the broker");
            AclBindingFilter filter = new AclBindingFilter(
                    new ResourcePatternFilter(ResourceType.TOPIC, "t", PatternType.LITERAL),
                    AccessControlEntryFilter.ANY);
            assertThatThrownBy(() -> admin.deleteAcls(List.of(filter)).all().get())
                    .cause()
                    .isInstanceOf(SecurityDisabledException.class)
                    .hasMessage("No Authorizer is configured.");
            // The broker keeps serving after the refusals.
            assertThat(admin.describeCluster().nodes().get()).hasSize(1);
        }
    }

    @Test
    void describeProducersListsTheIdempotentProducerWithItsLastSequence() throws Exception {
        try (Admin admin = Clients.admin(BROKER)) {
            admin.createTopics(List.of(new NewTopic("described", 2, (short) 1)))
                    .all()
                    .get();
            TopicPartition tp = new TopicPartition("described", 1);
            long before = System.currentTimeMillis();
            RecordMetadata last;
            try (KafkaProducer<byte[], byte[]> producer = Clients.producer(BROKER.bootstrapServers(), "all")) {
                for (int i = 0; i < 4; i++) {
                    producer.send(new ProducerRecord<>("described", 1, null, ("v" + i).getBytes()))
                            .get();
                }
                last = producer.send(new ProducerRecord<>("described", 1, null, "v4".getBytes()))
                        .get();
            }
            List<ProducerState> states = admin.describeProducers(List.of(tp))
                    .partitionResult(tp)
                    .get()
                    .activeProducers();
            assertThat(states).hasSize(1);
            ProducerState state = states.get(0);
            assertThat(state.producerId()).isGreaterThanOrEqualTo(0);
            assertThat(state.producerEpoch()).isEqualTo(0);
            assertThat(state.lastSequence()).isEqualTo(4);
            assertThat(state.lastTimestamp()).isEqualTo(last.timestamp()).isGreaterThanOrEqualTo(before);
            assertThat(state.coordinatorEpoch()).isEmpty();
            assertThat(state.currentTransactionStartOffset()).isEmpty();

            TopicPartition empty = new TopicPartition("described", 0);
            assertThat(admin.describeProducers(List.of(empty))
                            .partitionResult(empty)
                            .get()
                            .activeProducers())
                    .isEmpty();
        }
    }

    @Test
    void describeProducersAnswersUnknownTopicOrPartitionForAMissingPartition() throws Exception {
        // The admin client keeps looking up a missing topic's leader until it times out (as it does
        // against Apache Kafka), so ask the broker directly.
        try (RawConnection c = new RawConnection("127.0.0.1", BROKER.port())) {
            DescribeProducersRequestData req = new DescribeProducersRequestData();
            req.topics()
                    .add(new DescribeProducersRequestData.TopicRequest()
                            .setName("no-such-topic")
                            .setPartitionIndexes(List.of(0, 3)));
            int corr = c.send(ApiKeys.DESCRIBE_PRODUCERS, (short) 0, req);
            DescribeProducersResponseData resp =
                    new DescribeProducersResponseData(new ByteBufferAccessor(c.receive(corr, (short) 1)), (short) 0);
            assertThat(resp.topics()).hasSize(1);
            assertThat(resp.topics().get(0).partitions())
                    .extracting(p -> p.partitionIndex() + ":" + p.errorCode())
                    .containsExactly(
                            "0:" + Errors.UNKNOWN_TOPIC_OR_PARTITION.code(),
                            "3:" + Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        }
    }
}
