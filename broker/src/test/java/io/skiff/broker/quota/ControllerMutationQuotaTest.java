package io.skiff.broker.quota;

import static org.assertj.core.api.Assertions.assertThat;

import io.skiff.broker.admin.MutationQuota;
import io.skiff.broker.metadata.MetadataImage;
import io.skiff.broker.metadata.MetadataRecord;
import io.skiff.broker.network.SecurityProtocol;
import io.skiff.broker.network.Session;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * {@code controller_mutation_rate} through {@link ClientQuotas#mutationQuota}: a token bucket with
 * a burst of rate x 10 windows of 1 s, strict and permissive, on a manual clock.
 */
class ControllerMutationQuotaTest {
    private final AtomicLong now = new AtomicLong(1_000_000L);
    private final ClientQuotas quotas = new ClientQuotas(11, 1, 10, 1, null, now::get);
    private final Session session = new Session("PLAINTEXT", SecurityProtocol.PLAINTEXT, null);
    private MetadataImage image = MetadataImage.EMPTY;

    private void set(Map<String, String> entity, Double value) {
        MetadataRecord r = new MetadataRecord.ClientQuotaChanged(entity, "controller_mutation_rate", value);
        MetadataImage previous = image;
        image = image.apply(r);
        quotas.onChange(previous, image, List.of(r));
    }

    @Test
    void withoutAQuotaEveryMutationIsAcceptedUnthrottled() {
        MutationQuota q = quotas.mutationQuota(session, "app", true);
        assertThat(q).isSameAs(MutationQuota.UNBOUNDED);
        set(Map.of("client-id", "other"), 1.0);
        assertThat(quotas.mutationQuota(session, "app", true)).isSameAs(MutationQuota.UNBOUNDED);
        assertThat(quotas.enabled())
                .as("a mutation quota alone costs the request path nothing")
                .isFalse();
    }

    @Test
    void strictQuotaAcceptsUntilExhaustedThenRefusesWithTheTimeToRecover() {
        set(Map.of("client-id", "app"), 10.0); // burst: 100 partitions
        MutationQuota first = quotas.mutationQuota(session, "app", true);
        assertThat(first.tryRecord(90)).isTrue();
        assertThat(first.tryRecord(90))
                .as("the quota was not exhausted before it")
                .isTrue();
        assertThat(first.throttleTimeMs()).isZero();
        // 100 - 180 = -80 tokens: 8 s at 10 per second.
        assertThat(first.tryRecord(1)).isFalse();
        assertThat(first.throttleTimeMs()).isEqualTo(8_000);

        MutationQuota next = quotas.mutationQuota(session, "app", true);
        now.addAndGet(3_000);
        assertThat(next.tryRecord(1)).isFalse();
        assertThat(next.throttleTimeMs()).isEqualTo(5_000);
        now.addAndGet(1_000);
        assertThat(next.throttleTimeMs()).as("counted down as time passes").isEqualTo(4_000);
        now.addAndGet(4_000);
        assertThat(quotas.mutationQuota(session, "app", true).tryRecord(5)).isTrue();
    }

    @Test
    void permissiveQuotaAcceptsEverythingAndThrottlesByTheDebt() {
        set(Map.of("user", "ANONYMOUS"), 5.0); // burst: 50 partitions
        MutationQuota q = quotas.mutationQuota(session, "any", false);
        assertThat(q.tryRecord(40)).isTrue();
        assertThat(q.throttleTimeMs()).isZero();
        assertThat(q.tryRecord(20)).isTrue();
        assertThat(q.throttleTimeMs()).as("10 partitions over, at 5 per second").isEqualTo(2_000);
        assertThat(quotas.mutationQuota(session, "any", false).tryRecord(100)).isTrue();
    }

    @Test
    void theBucketRefillsAtTheRateUpToItsBurst() {
        set(Map.of("client-id", "app"), 2.0); // burst: 20
        assertThat(quotas.mutationQuota(session, "app", true).tryRecord(20)).isTrue();
        now.addAndGet(60_000);
        MutationQuota q = quotas.mutationQuota(session, "app", true);
        assertThat(q.tryRecord(20)).isTrue();
        assertThat(q.tryRecord(1))
                .as("a minute idle refills no more than the burst")
                .isTrue();
        assertThat(q.tryRecord(1)).isFalse();
        assertThat(q.throttleTimeMs()).isEqualTo(500);
    }

    @Test
    void removingTheQuotaLiftsIt() {
        set(Map.of("client-id", "app"), 1.0);
        assertThat(quotas.mutationQuota(session, "app", true).tryRecord(50)).isTrue();
        assertThat(quotas.mutationQuota(session, "app", true).tryRecord(1)).isFalse();
        set(Map.of("client-id", "app"), null);
        assertThat(quotas.mutationQuota(session, "app", true)).isSameAs(MutationQuota.UNBOUNDED);
    }
}
