package io.skiff.broker.quota;

import io.skiff.broker.admin.MutationQuota;
import io.skiff.broker.metadata.MetadataImage;
import io.skiff.broker.metadata.MetadataManager;
import io.skiff.broker.metadata.MetadataRecord;
import io.skiff.broker.network.ConnectionQuotas;
import io.skiff.broker.network.QuotaHook;
import io.skiff.broker.network.SampledRate;
import io.skiff.broker.network.Session;
import io.skiff.wire.protocol.ApiKeys;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Client quotas as Apache Kafka enforces them (KIP-13, KIP-55, KIP-124, KIP-219), plugged into
 * the network layer as its {@link QuotaHook}: {@code producer_byte_rate} counts produce request
 * bytes once the append is done, {@code consumer_byte_rate} fetch answer bytes (a fetch over quota
 * is answered empty, and no fetch returns more than the quota allows in one window),
 * {@code request_percentage} the handler time of every request that has an answer (throttles of
 * it are at most one quota window). The quotas come from the metadata image (a metadata listener);
 * IP entities' {@code connection_creation_rate} go to the {@link ConnectionQuotas}.
 * {@code controller_mutation_rate} is charged by the topic admin requests themselves
 * ({@link #mutationQuota}): partitions created or deleted, from a {@link TokenBucket}.
 *
 * <p>With no user or client-id quota at all, {@link #enabled()} is false and the request path
 * does nothing else. Otherwise each connection caches what applies to it ({@link Session#quotaState()}),
 * re-resolved when the quotas change (at once: the next request sees them) or its client id does.
 * Thread-safe.
 */
public final class ClientQuotas implements QuotaHook, MetadataManager.Listener {
    private static final Logger LOG = LoggerFactory.getLogger(ClientQuotas.class);
    private static final double NANOS_TO_PERCENTAGE = 100.0 / TimeUnit.SECONDS.toNanos(1);

    private final ClientQuotaManager<SampledRate> produce;
    private final ClientQuotaManager<SampledRate> fetch;
    private final ClientQuotaManager<SampledRate> request;
    private final ClientQuotaManager<TokenBucket> mutations;
    private final LongSupplier clockMs;
    private final ConnectionQuotas connections;
    private final int samples;
    private final long windowMs;
    private volatile boolean enabled;
    private volatile boolean requestQuotas;
    private volatile boolean mutationQuotas;
    private volatile int generation;

    /**
     * @param connections where IP connection rate quotas go (null: nowhere)
     */
    public ClientQuotas(int quotaWindowNum, int quotaWindowSizeSeconds, ConnectionQuotas connections) {
        this(quotaWindowNum, quotaWindowSizeSeconds, 11, 1, connections, System::currentTimeMillis);
    }

    /**
     * @param controllerWindowNum {@code controller.quota.window.num}
     * @param controllerWindowSizeSeconds {@code controller.quota.window.size.seconds}
     * @param connections where IP connection rate quotas go (null: nowhere)
     * @param clockMs the clock of controller mutation quotas
     */
    public ClientQuotas(
            int quotaWindowNum,
            int quotaWindowSizeSeconds,
            int controllerWindowNum,
            int controllerWindowSizeSeconds,
            ConnectionQuotas connections,
            LongSupplier clockMs) {
        this.samples = quotaWindowNum;
        this.windowMs = TimeUnit.SECONDS.toMillis(quotaWindowSizeSeconds);
        this.produce = ClientQuotaManager.sampled(samples, windowMs);
        this.fetch = ClientQuotaManager.sampled(samples, windowMs);
        this.request = ClientQuotaManager.sampled(samples, windowMs);
        double burstSeconds = (double) controllerWindowNum * controllerWindowSizeSeconds;
        this.mutations = new ClientQuotaManager<>(() -> new TokenBucket(burstSeconds));
        this.clockMs = clockMs;
        this.connections = connections;
    }

    /** What one connection resolved: the quotas that apply to its user and client id. */
    private record SessionState(
            int generation,
            String user,
            String clientId,
            ClientQuotaManager.Resolved<SampledRate> produce,
            ClientQuotaManager.Resolved<SampledRate> fetch,
            ClientQuotaManager.Resolved<SampledRate> request) {}

    @Override
    public void onLoad(MetadataImage image) {
        apply(image);
    }

    @Override
    public void onChange(MetadataImage previous, MetadataImage next, List<MetadataRecord> records) {
        for (MetadataRecord r : records) {
            if (r instanceof MetadataRecord.ClientQuotaChanged) {
                apply(next);
                return;
            }
        }
    }

    /** Takes the quotas of {@code image}. */
    synchronized void apply(MetadataImage image) {
        Map<ClientQuotaManager.Entity, Double> produceQuotas = new HashMap<>();
        Map<ClientQuotaManager.Entity, Double> fetchQuotas = new HashMap<>();
        Map<ClientQuotaManager.Entity, Double> requestQuotas = new HashMap<>();
        Map<ClientQuotaManager.Entity, Double> mutationQuotas = new HashMap<>();
        if (connections != null) {
            connections.clearIpConnectionRates();
        }
        for (Map.Entry<Map<String, String>, Map<String, Double>> e :
                image.clientQuotas().entrySet()) {
            Map<String, String> entity = e.getKey();
            if (entity.containsKey(QuotaEntityTypes.IP)) {
                ipQuota(entity.get(QuotaEntityTypes.IP), e.getValue().get(QuotaEntityTypes.CONNECTION_CREATION_RATE));
                continue;
            }
            ClientQuotaManager.Entity key = ClientQuotaManager.Entity.of(entity);
            putIfSet(produceQuotas, key, e.getValue().get(QuotaEntityTypes.PRODUCER_BYTE_RATE));
            putIfSet(fetchQuotas, key, e.getValue().get(QuotaEntityTypes.CONSUMER_BYTE_RATE));
            putIfSet(requestQuotas, key, e.getValue().get(QuotaEntityTypes.REQUEST_PERCENTAGE));
            putIfSet(mutationQuotas, key, e.getValue().get(QuotaEntityTypes.CONTROLLER_MUTATION_RATE));
        }
        mutations.quotas(mutationQuotas);
        this.mutationQuotas = !mutationQuotas.isEmpty();
        produce.quotas(produceQuotas);
        fetch.quotas(fetchQuotas);
        request.quotas(requestQuotas);
        generation++;
        this.requestQuotas = !requestQuotas.isEmpty();
        this.enabled = !produceQuotas.isEmpty() || !fetchQuotas.isEmpty() || !requestQuotas.isEmpty();
    }

    private static void putIfSet(Map<ClientQuotaManager.Entity, Double> out, ClientQuotaManager.Entity key, Double v) {
        if (v != null) {
            out.put(key, v);
        }
    }

    private void ipQuota(String ip, Double rate) {
        if (connections == null || rate == null) {
            return;
        }
        try {
            connections.ipConnectionRate(ip == null ? null : InetAddress.getByName(ip), (int) Math.round(rate));
        } catch (UnknownHostException e) {
            LOG.warn("Connection creation rate quota of {} not applied: the host does not resolve", ip);
        }
    }

    /**
     * The {@code controller_mutation_rate} quota of one topic-admin request of {@code session}:
     * strict ({@code strict}, the versions whose clients know THROTTLING_QUOTA_EXCEEDED) or
     * permissive; {@link MutationQuota#UNBOUNDED} when no quota applies to the client.
     */
    public MutationQuota mutationQuota(Session session, String clientId, boolean strict) {
        if (!mutationQuotas) {
            return MutationQuota.UNBOUNDED;
        }
        ClientQuotaManager.Resolved<TokenBucket> r =
                mutations.resolve(session.principal().name(), clientId == null ? "" : clientId);
        return r == null ? MutationQuota.UNBOUNDED : new RequestMutationQuota(r.rate(), r.bound(), strict, clockMs);
    }

    /** One request's view of a mutation bucket; see {@link MutationQuota}. */
    private static final class RequestMutationQuota implements MutationQuota {
        private final TokenBucket bucket;
        private final double rate;
        private final boolean strict;
        private final LongSupplier clockMs;
        private int throttleMs;
        private long throttledAtMs;

        RequestMutationQuota(TokenBucket bucket, double rate, boolean strict, LongSupplier clockMs) {
            this.bucket = bucket;
            this.rate = rate;
            this.strict = strict;
            this.clockMs = clockMs;
        }

        @Override
        public boolean tryRecord(int partitions) {
            long now = clockMs.getAsLong();
            if (strict) {
                double left = bucket.tokens(rate, now);
                if (left < 0) {
                    throttle(left, now);
                    return false;
                }
                bucket.record(partitions, rate, now);
                return true;
            }
            throttle(bucket.record(partitions, rate, now), now);
            return true;
        }

        private void throttle(double tokens, long now) {
            throttleMs = TokenBucket.throttleMs(tokens, rate);
            throttledAtMs = now;
        }

        @Override
        public int throttleTimeMs() {
            long elapsed = clockMs.getAsLong() - throttledAtMs;
            return (int) Math.max(0, throttleMs - elapsed);
        }
    }

    @Override
    public boolean enabled() {
        return enabled;
    }

    @Override
    public boolean measuresRequestTime() {
        return requestQuotas;
    }

    private SessionState state(Session session, String clientId) {
        String c = clientId == null ? "" : clientId;
        String user = session.principal().name();
        int gen = generation;
        Object cached = session.quotaState();
        if (cached instanceof SessionState s && s.generation == gen && s.clientId.equals(c) && s.user.equals(user)) {
            return s;
        }
        SessionState s = new SessionState(
                gen, user, c, produce.resolve(user, c), fetch.resolve(user, c), request.resolve(user, c));
        session.quotaState(s);
        return s;
    }

    @Override
    public int throttleOnResponse(
            Session session,
            String clientId,
            ApiKeys api,
            int requestBytes,
            boolean hasResponse,
            long handlerNanos,
            long nowMs) {
        SessionState s = state(session, clientId);
        long ms = 0;
        if (api == ApiKeys.PRODUCE && s.produce != null) {
            ms = s.produce.rate().recordAndThrottleMs(requestBytes, nowMs, s.produce.bound(), Integer.MAX_VALUE);
        }
        if (hasResponse) {
            ms = Math.max(ms, requestThrottleMs(s, handlerNanos, nowMs));
        }
        return (int) ms;
    }

    private long requestThrottleMs(SessionState s, long handlerNanos, long nowMs) {
        if (s.request == null) {
            return 0;
        }
        return s.request
                .rate()
                .recordAndThrottleMs(handlerNanos * NANOS_TO_PERCENTAGE, nowMs, s.request.bound(), windowMs);
    }

    @Override
    public int fetchMaxBytes(Session session, String clientId) {
        SessionState s = state(session, clientId);
        if (s.fetch == null) {
            return Integer.MAX_VALUE;
        }
        double max = s.fetch.bound() * (samples - 1) * (windowMs / 1000.0);
        return max >= Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) max;
    }

    @Override
    public int throttleFetch(Session session, String clientId, int responseBytes, long handlerNanos, long nowMs) {
        SessionState s = state(session, clientId);
        long ms = 0;
        if (s.fetch != null) {
            ms = s.fetch.rate().recordAndThrottleMs(responseBytes, nowMs, s.fetch.bound(), Integer.MAX_VALUE);
        }
        ms = Math.max(ms, requestThrottleMs(s, handlerNanos, nowMs));
        if (ms > 0 && s.fetch != null) {
            // The answer will be empty: what it would have carried does not count.
            s.fetch.rate().record(-responseBytes, nowMs);
        }
        return (int) ms;
    }
}
