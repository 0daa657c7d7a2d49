package io.skiff.broker.network;

import io.netty.buffer.ByteBuf;
import io.netty.util.ResourceLeakHint;
import io.skiff.wire.protocol.ApiKeys;
import io.skiff.wire.protocol.ApiMessage;
import java.net.InetSocketAddress;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;

/**
 * One request in flight on a connection: who sent it, what it is, and (once a handler has
 * decided) its outcome. Handlers complete it exactly once, from any thread, with
 * {@link #respond}, {@link #respondNothing} or {@link #closeConnection}; the connection then
 * sends responses in request order. On completion the request frame and the request body's
 * record buffers are released: a handler that needs request bytes after completing must copy
 * or retain them first. {@link #session()} is the connection the request came in on.
 */
public final class RequestContext implements ResourceLeakHint {
    private static final AtomicLongFieldUpdater<RequestContext> HANDLER_NANOS =
            AtomicLongFieldUpdater.newUpdater(RequestContext.class, "handlerNanos");
    private static final AtomicLongFieldUpdater<RequestContext> DISPATCH_START =
            AtomicLongFieldUpdater.newUpdater(RequestContext.class, "dispatchStartNanos");
    private static final AtomicLongFieldUpdater<RequestContext> OFF_LOOP_START =
            AtomicLongFieldUpdater.newUpdater(RequestContext.class, "offLoopStartNanos");

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
    /**
     * Set by the pre-dispatch stage when the response is written (event loop), or by a fetch's
     * quota check before it completes the request (published by the completion).
     */
    private int throttleTimeMs;
    /** Whether the quotas have already seen this request (a fetch checks before it answers). */
    private boolean quotaRecorded;
    /** Time handlers spent on this request, measured only while request-time quotas are set. */
    private volatile long handlerNanos;
    /** When the handler's call on the event loop began (0 when not measured or already counted). */
    private volatile long dispatchStartNanos;
    /** When the handler's work on another thread began (0 when not measured or already counted). */
    private volatile long offLoopStartNanos;
    /** When the handler was called (event loop; published to other threads by the completion). */
    private long dispatchedNanos;
    /** When a handler completed the request (published to the event loop by the drain task). */
    private volatile long completedNanos;
    /** A Fetch from a follower replica (replica id 0 or more) rather than from a consumer. */
    private boolean fromFollower;
    /** Version at which the response is written; differs from apiVersion only for the ApiVersions fallback. */
    private short responseVersion;

    private ApiMessage response;
    /** After the response, close the connection this many ms later (-1: keep it open). */
    private int closeAfterMs = -1;

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

    /**
     * The most a fetch may return under the client's consumer byte-rate quota (what the quota
     * allows in one quota window; {@link Integer#MAX_VALUE} without a quota). Fetch only.
     */
    public int fetchQuotaMaxBytes() {
        return connection.stage().fetchMaxBytes(this);
    }

    /**
     * Records a fetch answer of {@code responseBytes} against the client's quotas, before the
     * handler responds. A positive answer is the throttle time (ms): the client is over quota and
     * the fetch must be answered without records (as Apache Kafka does); the throttle time goes
     * into the answer and the connection is muted for that long. Call it at most once, from the
     * thread that then calls {@link #respond}.
     */
    public int throttleFetch(int responseBytes) {
        return connection.stage().throttleFetch(this, responseBytes);
    }

    /**
     * Marks the start of handler work for this request on a thread other than the event loop (an
     * append thread): it counts against the client's request-time quota up to
     * {@link #offLoopWorkEnded()} or the completion of the request, whichever comes first.
     */
    public void offLoopWorkStarted() {
        if (connection.stage().measuresHandlerTime()) {
            offLoopStartNanos = System.nanoTime() | 1L;
        }
    }

    /** Marks the end of the work begun with {@link #offLoopWorkStarted()}. */
    public void offLoopWorkEnded() {
        long start = offLoopStartNanos;
        if (start != 0L && OFF_LOOP_START.compareAndSet(this, start, 0L)) {
            addHandlerNanos(System.nanoTime() - start);
        }
    }

    private void addHandlerNanos(long nanos) {
        HANDLER_NANOS.addAndGet(this, nanos);
    }

    /** Completes the request with {@code response}, written at the request's version. */
    public void respond(ApiMessage response) {
        complete(response, apiVersion, Outcome.RESPOND);
    }

    /** Completes the request with {@code response} written at {@code version} (for fallback answers). */
    void respondAtVersion(ApiMessage response, short version) {
        complete(response, version, Outcome.RESPOND);
    }

    /**
     * Completes the request with {@code response}, after which nothing more is read or answered
     * and the connection closes {@code delayMs} later (a failed SASL authentication: Kafka's
     * {@code connection.failed.authentication.delay.ms}).
     */
    public void respondAndClose(ApiMessage response, int delayMs) {
        synchronized (this) {
            this.closeAfterMs = Math.max(0, delayMs);
        }
        complete(response, apiVersion, Outcome.RESPOND);
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
            this.completedNanos = connection.stage().nanoTime();
            this.outcome = how;
        }
        dispatchEnded();
        offLoopWorkEnded();
        releaseRequest();
        connection.completed();
    }

    /**
     * Notes in the request frame's leak record (when Netty tracks that buffer) where the request
     * stands after its handler returned, so that a leak report names the request whose handler
     * left it pending. Costs nothing but a check when the frame is not tracked or already released.
     */
    void noteDispatched() {
        if (frame != null && outcome == Outcome.PENDING) {
            frame.touch(this); // no allocation: the hint string is made only for a tracked frame
        }
    }

    /** The leak-record hint of {@link #noteDispatched}: the request and its outcome when the handler returned. */
    @Override
    public String toHintString() {
        return "dispatched " + api + " v" + apiVersion + " #" + correlationId + " from " + clientId + ": " + outcome
                + " when its handler returned";
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

    /**
     * Raises the throttle time of this request's answer to at least {@code ms}: a quota the
     * handler applies itself (controller mutations). Goes into the answer's
     * {@code throttle_time_ms}, and the connection is muted that long after it. Call before
     * responding.
     */
    public void throttle(int ms) {
        if (ms > throttleTimeMs) {
            throttleTimeMs = ms;
        }
    }

    void throttleTimeMs(int ms) {
        this.throttleTimeMs = ms;
    }

    void dispatchStarted(long nowNanos) {
        this.dispatchStartNanos = nowNanos | 1L;
    }

    /** Counts the handler's call up to now, once: when it returns, or when it completes the request inside it. */
    void dispatchEnded() {
        long start = dispatchStartNanos;
        if (start != 0L && DISPATCH_START.compareAndSet(this, start, 0L)) {
            addHandlerNanos(System.nanoTime() - start);
        }
    }

    long handlerNanos() {
        return handlerNanos;
    }

    boolean quotaRecorded() {
        return quotaRecorded;
    }

    /** The quotas saw this request before its answer (a fetch), with this throttle time. */
    void quotaRecorded(int throttleMs) {
        this.quotaRecorded = true;
        this.throttleTimeMs = Math.max(this.throttleTimeMs, throttleMs);
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

    /** How long after its response the connection closes; -1 when it stays open. */
    synchronized int closeAfterMs() {
        return closeAfterMs;
    }

    /** The version the response is written at (the request's, but 0 for the ApiVersions fallback). */
    public short responseVersion() {
        return responseVersion;
    }

    /** When the handler was called, on the pre-dispatch stage's clock (0 if it never was). */
    public long dispatchedNanos() {
        return dispatchedNanos;
    }

    void dispatched(long nowNanos) {
        this.dispatchedNanos = nowNanos;
    }

    /** When a handler completed the request, on the pre-dispatch stage's clock (0 while pending). */
    public long completedNanos() {
        return completedNanos;
    }

    /** Whether this is a Fetch from a follower replica rather than from a consumer. */
    public boolean fromFollower() {
        return fromFollower;
    }

    void fromFollower(boolean follower) {
        this.fromFollower = follower;
    }
}
