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
 * or retain them first. {@link #session()} is the connection the request came in on.
 */
public final class RequestContext {
    enum Outcome {
        PENDING,
        RESPOND,
        NOTHING,
        CLOSE
    }

    public final ApiKeys api;
    public final short apiVersion;
    public final int correlationId;
    /** The client id of this request's header. */
    public final String clientId;
    /** The session's listener name. */
    public final String listenerName;
    /** The session's remote address (null where the transport has none). */
    public final InetSocketAddress clientAddress;
    /** When the request frame was received, on the pre-dispatch stage's nanosecond clock. */
    public final long receivedNanos;

    private final RequestChannelHandler connection;
    private final Session session;
    private final ApiMessage request;
    private final ByteBuf frame;
    private final int requestBytes;
    /** Set by the pre-dispatch stage before the handler runs; read when the response is written. Event loop only. */
    private int throttleTimeMs;
    /** Version at which the response is written; differs from apiVersion only for the ApiVersions fallback. */
    private short responseVersion;

    private ApiMessage response;
    private volatile Outcome outcome = Outcome.PENDING;

    /**
     * @param request      the parsed body, released on completion (null for fallback answers and markers)
     * @param frame        the request frame, released on completion (null for markers)
     * @param requestBytes the frame's size after its 4-byte size prefix
     */
    RequestContext(
            RequestChannelHandler connection,
            Session session,
            ApiKeys api,
            short apiVersion,
            int correlationId,
            String clientId,
            ApiMessage request,
            ByteBuf frame,
            int requestBytes,
            long receivedNanos) {
        this.connection = connection;
        this.session = session;
        this.api = api;
        this.apiVersion = apiVersion;
        this.responseVersion = apiVersion;
        this.correlationId = correlationId;
        this.clientId = clientId;
        this.listenerName = session.listenerName();
        this.clientAddress = session.remoteAddress();
        this.request = request;
        this.frame = frame;
        this.requestBytes = requestBytes;
        this.receivedNanos = receivedNanos;
    }

    /** The connection this request came in on: listener, principal, client software. */
    public Session session() {
        return session;
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
        return session;
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

    int requestBytes() {
        return requestBytes;
    }

    int throttleTimeMs() {
        return throttleTimeMs;
    }

    void throttleTimeMs(int ms) {
        this.throttleTimeMs = ms;
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
