package io.skiff.broker.quota;

import io.skiff.broker.network.SampledRate;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The quotas of one kind ({@code producer_byte_rate}, {@code consumer_byte_rate} or
 * {@code request_percentage}, {@code controller_mutation_rate}) by user and client id, with Apache Kafka's precedence: the first
 * of these eight entities that has a quota applies.
 *
 * <ol>
 *   <li>(user, client-id)</li>
 *   <li>(user, {@code <default>} client-id)</li>
 *   <li>user</li>
 *   <li>({@code <default>} user, client-id)</li>
 *   <li>({@code <default>} user, {@code <default>} client-id)</li>
 *   <li>{@code <default>} user</li>
 *   <li>client-id</li>
 *   <li>{@code <default>} client-id</li>
 * </ol>
 *
 * The rate is shared as Kafka shares its sensors: a quota of a user entity (3, 6) by all that
 * user's client ids, one of a client-id entity (7, 8) by all users of that client id, the others
 * per (user, client-id) pair. Each rate is what {@code newRate} makes: a {@link SampledRate} over
 * {@code quota.window.num} windows of {@code quota.window.size.seconds} for the byte and request
 * quotas, a {@link TokenBucket} for controller mutations.
 *
 * <p>Thread-safe: the quotas are an immutable map replaced on change; rates live in a concurrent
 * map and are never dropped (a rate keeps its history when its quota changes, as in Kafka).
 */
final class ClientQuotaManager<R> {
    /** An entity of the user/client-id levels: a null name with its flag set is {@code <default>}. */
    record Entity(boolean hasUser, String user, boolean hasClientId, String clientId) {
        static Entity of(Map<String, String> e) {
            return new Entity(
                    e.containsKey(QuotaEntityTypes.USER),
                    e.get(QuotaEntityTypes.USER),
                    e.containsKey(QuotaEntityTypes.CLIENT_ID),
                    e.get(QuotaEntityTypes.CLIENT_ID));
        }
    }

    /** The rate a client is measured on and the bound that applies to it. */
    record Resolved<R>(R rate, double bound) {}

    private record RateKey(String user, String clientId) {}

    private final Supplier<R> newRate;
    private final Map<RateKey, R> rates = new ConcurrentHashMap<>();
    private volatile Map<Entity, Double> quotas = Map.of();

    ClientQuotaManager(Supplier<R> newRate) {
        this.newRate = newRate;
    }

    /** Byte-rate and request-time quotas: rates over {@code samples} windows of {@code windowMs}. */
    static ClientQuotaManager<SampledRate> sampled(int samples, long windowMs) {
        return new ClientQuotaManager<>(() -> new SampledRate(samples, windowMs));
    }

    void quotas(Map<Entity, Double> quotas) {
        this.quotas = Map.copyOf(quotas);
    }

    boolean isEmpty() {
        return quotas.isEmpty();
    }

    /** The quota of {@code user} and {@code clientId} and the rate it is measured on; null for none. */
    Resolved<R> resolve(String user, String clientId) {
        Map<Entity, Double> q = quotas;
        if (q.isEmpty()) {
            return null;
        }
        String c = clientId == null ? "" : clientId;
        Double b = q.get(new Entity(true, user, true, c));
        if (b == null) {
            b = q.get(new Entity(true, user, true, null));
        }
        if (b != null) {
            return resolved(user, c, b);
        }
        b = q.get(new Entity(true, user, false, null));
        if (b != null) {
            return resolved(user, "", b);
        }
        b = q.get(new Entity(true, null, true, c));
        if (b == null) {
            b = q.get(new Entity(true, null, true, null));
        }
        if (b != null) {
            return resolved(user, c, b);
        }
        b = q.get(new Entity(true, null, false, null));
        if (b != null) {
            return resolved(user, "", b);
        }
        b = q.get(new Entity(false, null, true, c));
        if (b == null) {
            b = q.get(new Entity(false, null, true, null));
        }
        if (b != null) {
            return resolved("", c, b);
        }
        return null;
    }

    private Resolved<R> resolved(String userTag, String clientTag, double bound) {
        R rate = rates.computeIfAbsent(new RateKey(userTag, clientTag), k -> newRate.get());
        return new Resolved<>(rate, bound);
    }
}
