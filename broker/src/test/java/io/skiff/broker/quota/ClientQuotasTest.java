package io.skiff.broker.quota;

import static org.assertj.core.api.Assertions.assertThat;

import io.skiff.broker.metadata.MetadataImage;
import io.skiff.broker.metadata.MetadataRecord;
import io.skiff.broker.network.ConnectionQuotas;
import io.skiff.broker.network.KafkaPrincipal;
import io.skiff.broker.network.SecurityProtocol;
import io.skiff.broker.network.Session;
import io.skiff.wire.protocol.ApiKeys;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link ClientQuotas}: the quota hook over a metadata image, on a manual clock. */
class ClientQuotasTest {
    private final ConnectionQuotas connections =
            new ConnectionQuotas(ConnectionQuotas.Limits.none(), System::currentTimeMillis);
    private final ClientQuotas quotas = new ClientQuotas(11, 1, connections);
    private final Session session = new Session("PLAINTEXT", SecurityProtocol.PLAINTEXT, null);
    private MetadataImage image = MetadataImage.EMPTY;

    private void set(Map<String, String> entity, String key, Double value) {
        MetadataRecord r = new MetadataRecord.ClientQuotaChanged(entity, key, value);
        MetadataImage previous = image;
        image = image.apply(r);
        quotas.onChange(previous, image, List.of(r));
    }

    private int produce(String clientId, int bytes, long nowMs) {
        return quotas.throttleOnResponse(session, clientId, ApiKeys.PRODUCE, bytes, true, 0, nowMs);
    }

    @Test
    void withoutQuotasTheHookIsDisabled() {
        quotas.onLoad(image);
        assertThat(quotas.enabled()).isFalse();
        assertThat(quotas.measuresRequestTime()).isFalse();
    }

    @Test
    void anIpQuotaAloneLeavesTheRequestPathDisabled() throws Exception {
        set(Map.of("ip", "127.0.0.1"), "connection_creation_rate", 5.0);
        assertThat(quotas.enabled()).isFalse();
        assertThat(connections.connectionRateForIp(InetAddress.getByName("127.0.0.1")))
                .isEqualTo(5);
        set(Map.of("ip", "127.0.0.1"), "connection_creation_rate", null);
        assertThat(connections.connectionRateForIp(InetAddress.getByName("127.0.0.1")))
                .isEqualTo(Integer.MAX_VALUE);
    }

    @Test
    void aProducerOverItsQuotaIsThrottledByTheExcess() {
        set(Map.of("client-id", "app"), "producer_byte_rate", 1000.0);
        assertThat(quotas.enabled()).isTrue();
        assertThat(produce("app", 10_000, 0))
                .as("10 s worth at once is within the quota")
                .isZero();
        // 15000 over 10 s is 1500/s: half the window again.
        assertThat(produce("app", 5_000, 0)).isEqualTo(5_000);
        assertThat(produce("other", 50_000, 0))
                .as("another client id has no quota")
                .isZero();
    }

    @Test
    void produceWithoutAnAnswerCountsItsBytesButNotItsTime() {
        set(Map.of("client-id", "app"), "producer_byte_rate", 1000.0);
        set(Map.of("client-id", "app"), "request_percentage", 1.0);
        int ms = quotas.throttleOnResponse(session, "app", ApiKeys.PRODUCE, 100, false, 10_000_000_000L, 0);
        assertThat(ms).isZero();
    }

    @Test
    void aUserQuotaAppliesToTheSessionsPrincipal() {
        set(Map.of("user", "ANONYMOUS"), "producer_byte_rate", 100.0);
        set(Map.of("client-id", "app"), "producer_byte_rate", 1_000_000.0);
        assertThat(produce("app", 2_000, 0)).as("the user's quota wins").isPositive();
        Session alice = new Session("SASL", SecurityProtocol.SASL_PLAINTEXT, null);
        alice.authenticated(KafkaPrincipal.user("alice"));
        assertThat(quotas.throttleOnResponse(alice, "app", ApiKeys.PRODUCE, 2_000, true, 0, 0))
                .isZero();
    }

    @Test
    void raisingAQuotaTakesEffectOnTheNextRequestOfALiveConnection() {
        set(Map.of("client-id", "app"), "producer_byte_rate", 100.0);
        assertThat(produce("app", 2_000, 0)).isPositive();
        set(Map.of("client-id", "app"), "producer_byte_rate", 1_000_000.0);
        assertThat(produce("app", 2_000, 0)).isZero();
    }

    @Test
    void aFetchOverItsQuotaIsThrottledAndItsBytesTakenBack() {
        set(Map.of("client-id", "app"), "consumer_byte_rate", 1000.0);
        assertThat(quotas.fetchMaxBytes(session, "app")).isEqualTo(10_000);
        assertThat(quotas.fetchMaxBytes(session, "other")).isEqualTo(Integer.MAX_VALUE);
        assertThat(quotas.throttleFetch(session, "app", 10_000, 0, 0)).isZero();
        assertThat(quotas.throttleFetch(session, "app", 5_000, 0, 0)).isEqualTo(5_000);
        // The refused 5000 bytes do not count: one byte more is only just over (1 ms).
        assertThat(quotas.throttleFetch(session, "app", 1, 0, 0)).isPositive().isLessThan(5_000);
    }

    @Test
    void requestTimeIsMeasuredAsAPercentageOfOneThreadAndItsThrottleCapped() {
        set(Map.of("client-id", "app"), "request_percentage", 10.0);
        assertThat(quotas.measuresRequestTime()).isTrue();
        // 1 s of handler time in 10 s is 10 %: within.
        assertThat(quotas.throttleOnResponse(session, "app", ApiKeys.METADATA, 10, true, 1_000_000_000L, 0))
                .isZero();
        // 20 s more is far over, throttled for at most one window (1 s).
        assertThat(quotas.throttleOnResponse(session, "app", ApiKeys.METADATA, 10, true, 20_000_000_000L, 0))
                .isEqualTo(1000);
    }
}
