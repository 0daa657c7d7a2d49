package io.skiff.coordinator.group;

/**
 * What the coordinator needs to know about the request besides its body: the API version it was
 * sent with, and the client id and host that Kafka records for group members (the host as Kafka
 * prints the client address, for example {@code /127.0.0.1}). Immutable.
 */
public final class RequestContext {
    private final short apiVersion;
    private final String clientId;
    private final String clientHost;

    public RequestContext(short apiVersion, String clientId, String clientHost) {
        this.apiVersion = apiVersion;
        this.clientId = clientId == null ? "" : clientId;
        this.clientHost = clientHost == null ? "" : clientHost;
    }

    public short apiVersion() {
        return apiVersion;
    }

    public String clientId() {
        return clientId;
    }

    public String clientHost() {
        return clientHost;
    }

    @Override
    public String toString() {
        return "RequestContext(v" + apiVersion + ", " + clientId + ", " + clientHost + ")";
    }
}
