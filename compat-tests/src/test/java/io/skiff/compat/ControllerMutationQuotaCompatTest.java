package io.skiff.compat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.CreatePartitionsOptions;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.DeleteTopicsOptions;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.ThrottlingQuotaExceededException;
import org.apache.kafka.common.quota.ClientQuotaAlteration;
import org.apache.kafka.common.quota.ClientQuotaEntity;
import org.apache.kafka.common.quota.ClientQuotaFilter;
import org.apache.kafka.common.quota.ClientQuotaFilterComponent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code controller_mutation_rate} (KIP-599) with kafka-clients' AdminClient: client ids with a
 * quota of 1 partition per second (a burst of 11 with the default 11 windows of 1 s) create, grow
 * and delete topics until the quota is exhausted; the mutation that goes past it is still accepted, the next
 * ones are refused THROTTLING_QUOTA_EXCEEDED with the time to wait, for CreateTopics,
 * CreatePartitions and DeleteTopics alike; another client id is not limited; an admin that retries
 * on quota violations (the default) gets its topic once the quota has recovered. Runs against
 * Apache Kafka too ({@code -Dskiff.compat.reference}).
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ControllerMutationQuotaCompatTest {
    @RegisterExtension
    static final SkiffBrokerExtension BROKER = new SkiffBrokerExtension();

    private static Admin admin(String clientId) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, BROKER.bootstrapServers());
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, clientId);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 60_000);
        return Admin.create(props);
    }

    private static void quota(Admin admin, String clientId, double rate) throws Exception {
        ClientQuotaEntity entity = new ClientQuotaEntity(Map.of(ClientQuotaEntity.CLIENT_ID, clientId));
        admin.alterClientQuotas(List.of(new ClientQuotaAlteration(
                        entity, List.of(new ClientQuotaAlteration.Op("controller_mutation_rate", rate)))))
                .all()
                .get(30, TimeUnit.SECONDS);
        ClientQuotaFilter filter =
                ClientQuotaFilter.containsOnly(List.of(ClientQuotaFilterComponent.ofEntity("client-id", clientId)));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!admin.describeClientQuotas(filter)
                .entities()
                .get(30, TimeUnit.SECONDS)
                .containsKey(entity)) {
            assertThat(System.nanoTime()).as("quota visible").isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    private static void create(Admin admin, String topic, int partitions) throws Exception {
        admin.createTopics(
                        List.of(new NewTopic(topic, partitions, (short) 1)),
                        new CreateTopicsOptions().retryOnQuotaViolation(false))
                .all()
                .get(30, TimeUnit.SECONDS);
    }

    private static void assertThrottled(ThrowingRunnable r) {
        assertThatThrownBy(r::run)
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOfSatisfying(
                        ThrottlingQuotaExceededException.class,
                        e -> assertThat(e.throttleTimeMs()).isPositive());
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    void mutationsPastAnExhaustedQuotaAreRefusedWithTheTimeToWait() throws Exception {
        try (Admin setup = admin("quota-setup");
                Admin creator = admin("m-create");
                Admin grower = admin("m-grow");
                Admin deleter = admin("m-delete");
                Admin retrier = admin("m-retry");
                Admin free = admin("free-mutator")) {
            // 1 partition per second: a burst of 11, and debts far longer than any step takes.
            for (String id : List.of("m-create", "m-grow", "m-delete", "m-retry")) {
                quota(setup, id, 1.0);
            }
            create(creator, "cmq-a", 10);
            create(creator, "cmq-b", 40); // 1 left before it: accepted, and the bucket goes below zero
            assertThrottled(() -> create(creator, "cmq-c", 1));

            grow(grower, "cmq-b", 51); // the whole burst
            grow(grower, "cmq-b", 91); // at zero, not below: accepted
            assertThrottled(() -> grow(grower, "cmq-b", 92));

            create(free, "cmq-d", 1);
            create(free, "cmq-free", 150);
            delete(deleter, "cmq-a");
            delete(deleter, "cmq-b");
            assertThrottled(() -> delete(deleter, "cmq-d"));

            assertThat(setup.listTopics().names().get(30, TimeUnit.SECONDS))
                    .contains("cmq-d", "cmq-free")
                    .doesNotContain("cmq-a", "cmq-b", "cmq-c");

            // The admin's default: wait out the throttle and retry until the quota allows it.
            create(retrier, "cmq-e", 12);
            retrier.createTopics(List.of(new NewTopic("cmq-retried", 1, (short) 1)))
                    .all()
                    .get(60, TimeUnit.SECONDS);
            assertThat(setup.listTopics().names().get(30, TimeUnit.SECONDS)).contains("cmq-retried");
        }
    }

    private static void grow(Admin admin, String topic, int partitions) throws Exception {
        admin.createPartitions(
                        Map.of(topic, NewPartitions.increaseTo(partitions)),
                        new CreatePartitionsOptions().retryOnQuotaViolation(false))
                .all()
                .get(30, TimeUnit.SECONDS);
    }

    private static void delete(Admin admin, String topic) throws Exception {
        admin.deleteTopics(List.of(topic), new DeleteTopicsOptions().retryOnQuotaViolation(false))
                .all()
                .get(30, TimeUnit.SECONDS);
    }
}
