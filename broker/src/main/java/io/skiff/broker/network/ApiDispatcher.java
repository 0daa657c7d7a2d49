package io.skiff.broker.network;

import io.skiff.wire.protocol.ApiKeys;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The one list of API handlers: which API keys this broker serves and at which versions. The
 * ApiVersions answer is computed from it. Built once at start-up; thread-safe afterwards.
 */
public final class ApiDispatcher {
    private final ApiHandler<?>[] byId = new ApiHandler<?>[maxId() + 1];
    private final List<ApiHandler<?>> handlers = new ArrayList<>();
    private final boolean unstableVersions;

    public ApiDispatcher(boolean unstableVersions) {
        this.unstableVersions = unstableVersions;
    }

    private static int maxId() {
        int max = 0;
        for (ApiKeys k : ApiKeys.values()) {
            max = Math.max(max, k.id);
        }
        return max;
    }

    public ApiDispatcher register(ApiHandler<?> handler) {
        int id = handler.api().id;
        if (byId[id] != null) {
            throw new IllegalArgumentException("two handlers for " + handler.api());
        }
        byId[id] = handler;
        handlers.add(handler);
        return this;
    }

    /** The handler of {@code api}, or null if this broker does not serve it. */
    public ApiHandler<?> handler(ApiKeys api) {
        return byId[api.id];
    }

    public List<ApiHandler<?>> handlers() {
        return Collections.unmodifiableList(handlers);
    }

    /** Highest version of {@code handler} that is offered: unstable schema versions only when enabled. */
    public short offeredMaxVersion(ApiHandler<?> handler) {
        short max = handler.maxVersion();
        if (!unstableVersions) {
            max = (short) Math.min(max, handler.api().highestStableVersion());
        }
        return max;
    }

    /** Whether a request of {@code api} at {@code version} is accepted. */
    public boolean accepts(ApiKeys api, short version) {
        ApiHandler<?> h = byId[api.id];
        return h != null && version >= h.minVersion() && version <= offeredMaxVersion(h);
    }
}
