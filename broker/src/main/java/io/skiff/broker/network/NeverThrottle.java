package io.skiff.broker.network;

import io.skiff.wire.protocol.ApiKeys;

/** The quota hook of a broker without client quotas: no request is ever throttled. Stateless. */
public final class NeverThrottle implements QuotaHook {
    public static final NeverThrottle INSTANCE = new NeverThrottle();

    private NeverThrottle() {}

    @Override
    public boolean enabled() {
        return false;
    }

    @Override
    public boolean measuresRequestTime() {
        return false;
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
        return 0;
    }

    @Override
    public int fetchMaxBytes(Session session, String clientId) {
        return Integer.MAX_VALUE;
    }

    @Override
    public int throttleFetch(Session session, String clientId, int responseBytes, long handlerNanos, long nowMs) {
        return 0;
    }
}
