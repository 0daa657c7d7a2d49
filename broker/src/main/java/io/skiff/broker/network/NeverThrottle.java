package io.skiff.broker.network;

import io.skiff.wire.protocol.ApiKeys;

/** The quota hook of a broker without client quotas: no request is ever throttled. Stateless. */
public final class NeverThrottle implements QuotaHook {
    public static final NeverThrottle INSTANCE = new NeverThrottle();

    private NeverThrottle() {}

    @Override
    public int throttleTimeMs(Session session, ApiKeys api, int requestBytes, long nowNanos) {
        return 0;
    }
}
