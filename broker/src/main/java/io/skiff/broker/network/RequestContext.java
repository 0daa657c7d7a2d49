package io.skiff.broker.network;

import io.netty.buffer.ByteBuf;
import io.skiff.wire.protocol.ApiKeys;
import io.skiff.wire.protocol.ApiMessage;
import java.net.InetSocketAddress;
import java.util.concurrent.Executor;

/**
 * One request in flight on a connection: who sent it, what it is, and (once a handler has
 * decided) its outcome. Handlers complete it exactly once, from any thread, with
 * {@link #respond}, {@link #respondNothing} or {@link #closeConnection}; the connection then
 * sends responses in request order. On completion the request frame and the request body's
 * record buffers are released: a handler that needs request bytes after completing must copy
 * or retain them first.
 */
public final class RequestContext {
    enum Outcome { PENDING, RESPOND, NOTHING, CLOSE }

    public final ApiKeys api;
    public final short apiVersion;
    public final int correlationId;
    public final String clientId;
    public final String listenerName;
    public final InetSocketAddress clientAddress;
    public final long receivedNanos;

    private final RequestChannelHandler connection;
    private final ApiMessage request;
    private final ByteBuf frame;
    /** Version at which the response is written; differs from apiVersion only for the ApiVersions fallback. */
    private short responseVersion;
    private ApiMessage response;
    private volatile Outcome outcome = Outcome.PENDING;

    RequestContext(RequestChannelHandler connection, ApiKeys api, short apiVersion, int correlationId, String clientId,
                   String listenerName, InetSocketAddress clientAddress, ApiMessage request, ByteBuf frame) {
        this.connection = connection;
        this.api = api;
        this.apiVersion = apiVersion;
        this.responseVersion = apiVersion;
        this.correlationId = correlationId;
        this.clientId = clientId;
        this.listenerName = listenerName;
        this.clientAddress = clientAddress;
        this.request = request;
        this.frame = frame;
        this.receivedNanos = System.nanoTime();
    }

    /**
     * The event loop of the connection this request came on. Work queued here runs after the
     * current task of that loop, never concurrently with the connection's other work.
     */
    public Executor executor() {
        return connection.executor();
    }

    /**
     * An identity for the connection this request came on (the same object for all its requests),
     * for handlers that keep per-connection order across threads.
     */
    public Object connectionKey() {
        return connection;
    }

    /** Completes the request with {@code response}, written at the request's version. */
    public void respond(ApiMessage response) {
        complete(response, apiVersion, Outcome.RESPOND);
    }

    /** Completes the request with {@code response} written at {@code version} (for fallback answers). */
    void respondAtVersion(ApiMessage response, short version) {
        complete(response, version, Outcome.RESPOND);
    }

    /** Completes the request without a response (Produce with acks=0). */
    public void respondNothing() {
        complete(null, apiVersion, Outcome.NOTHING);
    }

    /** Completes the request by closing the connection once earlier responses have left. */
    public void closeConnection() {
        complete(null, apiVersion, Outcome.CLOSE);
    }

    private void complete(ApiMessage response, short version, Outcome how) {
        synchronized (this) {
            if (outcome != Outcome.PENDING) {
                throw new IllegalStateException("request " + api + " #" + correlationId + " completed twice");
            }
            this.response = response;
            this.responseVersion = version;
            this.outcome = how;
        }
        releaseRequest();
        connection.completed();
    }

    private void releaseRequest() {
        if (request != null) {
            request.release();
        }
        if (frame != null) {
            frame.release();
        }
    }

    /** Whether a handler has completed this request. */
    public boolean isCompleted() {
        return outcome != Outcome.PENDING;
    }

    Outcome outcome() {
        return outcome;
    }

    ApiMessage response() {
        return response;
    }

    short responseVersion() {
        return responseVersion;
    }
}
