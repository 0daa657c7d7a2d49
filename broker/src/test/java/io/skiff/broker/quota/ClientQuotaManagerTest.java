package io.skiff.broker.quota;

import static org.assertj.core.api.Assertions.assertThat;

import io.skiff.broker.network.SampledRate;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link ClientQuotaManager}: Kafka's eight-step precedence and which clients share a rate. */
class ClientQuotaManagerTest {
    private final ClientQuotaManager<SampledRate> m = ClientQuotaManager.sampled(11, 1000);
    private final Map<ClientQuotaManager.Entity, Double> quotas = new HashMap<>();

    private static ClientQuotaManager.Entity user(String u) {
        return new ClientQuotaManager.Entity(true, u, false, null);
    }

    private static ClientQuotaManager.Entity client(String c) {
        return new ClientQuotaManager.Entity(false, null, true, c);
    }

    private static ClientQuotaManager.Entity userClient(String u, String c) {
        return new ClientQuotaManager.Entity(true, u, true, c);
    }

    private double boundOf(String user, String clientId) {
        m.quotas(quotas);
        ClientQuotaManager.Resolved<SampledRate> r = m.resolve(user, clientId);
        return r == null ? -1 : r.bound();
    }

    @Test
    void withoutQuotasNothingApplies() {
        assertThat(boundOf("alice", "app")).isEqualTo(-1);
    }

    @Test
    void eachLevelOfThePrecedenceWinsOverTheLevelsBelowIt() {
        // Added from the lowest level up; after each the new one applies.
        quotas.put(client(null), 8.0);
        assertThat(boundOf("alice", "app")).isEqualTo(8.0);
        quotas.put(client("app"), 7.0);
        assertThat(boundOf("alice", "app")).isEqualTo(7.0);
        quotas.put(user(null), 6.0);
        assertThat(boundOf("alice", "app")).isEqualTo(6.0);
        quotas.put(userClient(null, null), 5.0);
        assertThat(boundOf("alice", "app")).isEqualTo(5.0);
        quotas.put(userClient(null, "app"), 4.0);
        assertThat(boundOf("alice", "app")).isEqualTo(4.0);
        quotas.put(user("alice"), 3.0);
        assertThat(boundOf("alice", "app")).isEqualTo(3.0);
        quotas.put(userClient("alice", null), 2.0);
        assertThat(boundOf("alice", "app")).isEqualTo(2.0);
        quotas.put(userClient("alice", "app"), 1.0);
        assertThat(boundOf("alice", "app")).isEqualTo(1.0);
        assertThat(boundOf("bob", "other")).as("another user and client id").isEqualTo(5.0);
    }

    @Test
    void aUserQuotaTakesPrecedenceOverAClientIdQuota() {
        quotas.put(client("app"), 100.0);
        quotas.put(user("alice"), 50.0);
        assertThat(boundOf("alice", "app")).isEqualTo(50.0);
        assertThat(boundOf("bob", "app")).isEqualTo(100.0);
    }

    @Test
    void aUserQuotaIsSharedByAllItsClientIds() {
        quotas.put(user("alice"), 50.0);
        m.quotas(quotas);
        assertThat(m.resolve("alice", "a").rate())
                .isSameAs(m.resolve("alice", "b").rate());
    }

    @Test
    void aClientIdQuotaIsSharedByAllUsersOfThatClientId() {
        quotas.put(client("app"), 50.0);
        m.quotas(quotas);
        assertThat(m.resolve("alice", "app").rate())
                .isSameAs(m.resolve("bob", "app").rate());
    }

    @Test
    void aDefaultClientIdQuotaGivesEachClientIdItsOwnRate() {
        quotas.put(client(null), 50.0);
        m.quotas(quotas);
        assertThat(m.resolve("alice", "a").rate())
                .isNotSameAs(m.resolve("alice", "b").rate());
    }

    @Test
    void aRateKeepsItsHistoryWhenItsQuotaChanges() {
        quotas.put(client("app"), 50.0);
        m.quotas(quotas);
        ClientQuotaManager.Resolved<SampledRate> before = m.resolve("alice", "app");
        quotas.put(client("app"), 500.0);
        m.quotas(quotas);
        ClientQuotaManager.Resolved<SampledRate> after = m.resolve("alice", "app");
        assertThat(after.rate()).isSameAs(before.rate());
        assertThat(after.bound()).isEqualTo(500.0);
    }
}
