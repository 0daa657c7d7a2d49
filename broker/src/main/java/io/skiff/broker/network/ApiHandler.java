package io.skiff.broker.network;

import io.skiff.wire.protocol.ApiKeys;
import io.skiff.wire.protocol.ApiMessage;

/**
 * The handler of one API key. Subclasses declare the versions they implement and complete
 * every request they are given exactly once (see {@link RequestContext}). {@code handle} runs
 * on the connection's event loop and must not block: anything slow goes to another executor.
 *
 * @param <Q> the generated request class of the API
 */
public abstract class ApiHandler<Q extends ApiMessage> {
    private final ApiKeys api;
    private final short minVersion;
    private final short maxVersion;

    protected ApiHandler(ApiKeys api, int minVersion, int maxVersion) {
        if (minVersion < api.lowestVersion || maxVersion > api.highestVersion || minVersion > maxVersion) {
            throw new IllegalArgumentException(api + " handler versions " + minVersion + "-" + maxVersion
                    + " lie outside the schema's " + api.lowestVersion + "-" + api.highestVersion);
        }
        this.api = api;
        this.minVersion = (short) minVersion;
        this.maxVersion = (short) maxVersion;
    }

    public final ApiKeys api() {
        return api;
    }

    /** Lowest version this handler parses and answers. */
    public final short minVersion() {
        return minVersion;
    }

    /** Highest version this handler parses and answers. */
    public final short maxVersion() {
        return maxVersion;
    }

    /**
     * Lowest version announced in ApiVersions; normally {@link #minVersion()}. (Apache Kafka
     * announces Produce from version 0 although it only accepts 3 and above; clients that check
     * the announced range rely on it.)
     */
    public short advertisedMinVersion() {
        return minVersion;
    }

    public abstract void handle(RequestContext context, Q request);

    @SuppressWarnings("unchecked")
    final void dispatch(RequestContext context, ApiMessage request) {
        handle(context, (Q) request);
    }
}
