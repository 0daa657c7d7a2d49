package io.skiff.broker.network;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import io.skiff.wire.message.ApiVersionsResponse;
import io.skiff.wire.message.RequestHeader;
import io.skiff.wire.protocol.ApiKeys;
import io.skiff.wire.protocol.ApiMessage;
import io.skiff.wire.protocol.Errors;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection: decodes the request header and body, passes each request through the
 * {@link PreDispatchStage} (authentication gate, quota, metrics) to its API's handler, and sends
 * the responses in request order even when handlers complete out of order. A request that
 * cannot be parsed, an unknown API key, an unsupported version (other than ApiVersions, which
 * gets the version-0 error answer) or a request the gate refuses closes this connection only,
 * as Apache Kafka does. The connection's {@link Session} is given at construction.
 *
 * <p>Everything here runs on the connection's event loop except {@link #completed()}, which
 * handlers may call from any thread. At most {@link #MAX_IN_FLIGHT} requests are held per
 * connection; beyond that the connection stops reading until responses drain. It also stops
 * reading while its written responses wait above the channel's write-buffer high-water mark (a
 * client that sends requests but does not read its answers), and reads again once they fall below
 * the low-water mark, so that no client can make the broker buffer answers without bound. A client over
 * its quota gets its answer at once, with the throttle time in it, and the connection is then
 * muted (reads stop) for that long, as Apache Kafka does (KIP-219).
 */
final class RequestChannelHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(RequestChannelHandler.class);
    static final int MAX_IN_FLIGHT = 64;

    private final ApiDispatcher dispatcher;
    private final PreDispatchStage stage;
    private final ConnectionLog log;
    private final Session session;
    private final ArrayDeque<RequestContext> inFlight = new ArrayDeque<>();
    private final ResponseWriter writer;
    private final Runnable drainTask = this::drain;
    private final Runnable unmuteTask = this::unmute;
    private ChannelHandlerContext ctx;
    private boolean reading;
    private boolean flushPending;
    private boolean closing;
    /** Muted for a quota: no reads until {@link #mutedUntilNanos} (on {@link System#nanoTime()}). */
    private boolean muted;

    private long mutedUntilNanos;
    private ScheduledFuture<?> unmuteFuture;

    RequestChannelHandler(ApiDispatcher dispatcher, PreDispatchStage stage, ConnectionLog log, Session session) {
        this.dispatcher = dispatcher;
        this.stage = stage;
        this.log = log;
        this.session = session;
        this.writer = new ResponseWriter(session.securityProtocol().usesTls);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf frame = (ByteBuf) msg;
        if (closing) {
            frame.release();
            return;
        }
        reading = true;
        try {
            onFrame(frame);
        } finally {
            reading = false;
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (flushPending) {
            flushPending = false;
            ctx.flush();
        }
    }

    private void onFrame(ByteBuf frame) {
        RawSaslTokens raw = session.rawSaslTokens();
        if (raw != null) {
            onRawSaslToken(raw, frame);
            return;
        }
        long receivedNanos = stage.nanoTime();
        int frameBytes = frame.readableBytes();
        if (frameBytes < 4) {
            closeOn(frame, "bad-header", "Error parsing request header: frame of " + frameBytes + " bytes", null);
            return;
        }
        short apiKeyId = frame.getShort(frame.readerIndex());
        short version = frame.getShort(frame.readerIndex() + 2);
        ApiKeys api = ApiKeys.forId(apiKeyId);
        if (api == null) {
            closeOn(frame, "unknown-api", "Error parsing request header: unknown api key " + apiKeyId, null);
            return;
        }
        RequestHeader header = new RequestHeader();
        try {
            header.read(frame, api.requestHeaderVersion(version));
        } catch (RuntimeException e) {
            refuse(api, frame, frameBytes, "bad-header", "Error parsing request header; apiKey " + apiKeyId, e);
            return;
        }
        if (!stage.admitHeader(session, api, header.clientId())) {
            refuse(
                    api,
                    frame,
                    frameBytes,
                    "unauthenticated-request",
                    "Unexpected request of type " + api.title + " in authentication state " + session.authState(),
                    null);
            return;
        }
        ApiHandler<?> handler = dispatcher.handler(api);
        if (handler == null) {
            refuse(
                    api,
                    frame,
                    frameBytes,
                    "unsupported-api",
                    "Unsupported api " + api.title + " (key " + apiKeyId + ") version " + version,
                    null);
            return;
        }
        if (!dispatcher.accepts(api, version)) {
            if (api == ApiKeys.API_VERSIONS) {
                answerNewerApiVersions(handler, version, header, frame, frameBytes, receivedNanos);
                return;
            }
            refuse(
                    api,
                    frame,
                    frameBytes,
                    "unsupported-version",
                    "Received request for api " + api.title + " with unsupported version " + version,
                    null);
            return;
        }
        ApiMessage body = api.newRequest();
        try {
            body.read(frame, version);
        } catch (RuntimeException | StackOverflowError e) {
            body.release();
            refuse(
                    api,
                    frame,
                    frameBytes,
                    "bad-request",
                    "Error parsing " + api.title + " v" + version + " request",
                    e);
            return;
        }
        RequestContext rc = new RequestContext(
                this,
                session,
                api,
                version,
                header.correlationId(),
                header.clientId(),
                body,
                frame,
                frameBytes,
                receivedNanos);
        admit(rc, body);
        dispatch(handler, rc, body);
    }

    /**
     * A bare SASL token after a SaslHandshake v0: answered with a bare frame, or the connection is
     * closed when the exchange fails. Requests still unanswered at this point break the protocol
     * (a v0 client waits for the handshake's answer before it sends a token): the connection is closed.
     */
    private void onRawSaslToken(RawSaslTokens raw, ByteBuf frame) {
        if (!inFlight.isEmpty()) {
            closeOn(frame, "sasl-token", "SASL token while requests are in flight", null);
            return;
        }
        byte[] token = new byte[frame.readableBytes()];
        frame.readBytes(token);
        frame.release();
        byte[] answer = raw.evaluate(token);
        if (answer == null) {
            closing = true;
            flushAndClose();
            return;
        }
        ByteBuf out = ctx.alloc().buffer(4 + answer.length);
        out.writeInt(answer.length).writeBytes(answer);
        ctx.write(out);
        flushPending = true;
    }

    /** Runs the handler; one that throws closes the connection. Times it while request-time quotas are set. */
    private void dispatch(ApiHandler<?> handler, RequestContext rc, ApiMessage body) {
        boolean timed = stage.measuresHandlerTime();
        if (timed) {
            rc.dispatchStarted(System.nanoTime());
        }
        try {
            handler.dispatch(rc, body);
            if (timed) {
                rc.dispatchEnded();
            }
            rc.noteDispatched();
        } catch (RuntimeException | Error e) {
            // An Error too (a stack overflow on hostile input, an allocation refused): the request
            // must still complete, or its buffers would never be released.
            LOG.error(
                    "Handler of {} v{} failed; closing the connection from {}",
                    rc.api.title,
                    rc.apiVersion,
                    session.remoteAddress(),
                    e);
            if (rc.outcome() == RequestContext.Outcome.PENDING) {
                rc.closeConnection();
            }
        }
    }

    /**
     * An ApiVersions request newer than this broker: answered in the one format every version
     * understands, so that the client retries with a version from the list.
     */
    private void answerNewerApiVersions(
            ApiHandler<?> handler,
            short version,
            RequestHeader header,
            ByteBuf frame,
            int frameBytes,
            long receivedNanos) {
        RequestContext rc = new RequestContext(
                this,
                session,
                ApiKeys.API_VERSIONS,
                version,
                header.correlationId(),
                header.clientId(),
                null,
                frame,
                frameBytes,
                receivedNanos);
        admit(rc, null);
        rc.respondAtVersion(unsupportedApiVersionsAnswer(handler), (short) 0);
    }

    private ApiVersionsResponse unsupportedApiVersionsAnswer(ApiHandler<?> apiVersionsHandler) {
        ApiVersionsResponse r = new ApiVersionsResponse().setErrorCode(Errors.UNSUPPORTED_VERSION.code);
        ArrayList<ApiVersionsResponse.ApiVersion> keys = new ArrayList<>(1);
        keys.add(new ApiVersionsResponse.ApiVersion()
                .setApiKey(ApiKeys.API_VERSIONS.id)
                .setMinVersion(apiVersionsHandler.minVersion())
                .setMaxVersion(dispatcher.offeredMaxVersion(apiVersionsHandler)));
        r.setApiKeys(keys);
        return r;
    }

    private void admit(RequestContext rc, ApiMessage body) {
        stage.beforeDispatch(rc, body);
        inFlight.add(rc);
        if (inFlight.size() >= MAX_IN_FLIGHT && ctx.channel().config().isAutoRead()) {
            ctx.channel().config().setAutoRead(false);
        }
    }

    /** Closes the connection on a request of a known API that no handler will see, and counts it. */
    private void refuse(ApiKeys api, ByteBuf frame, int frameBytes, String kind, String reason, Throwable cause) {
        stage.refused(api, frameBytes);
        closeOn(frame, kind, reason, cause);
    }

    private void closeOn(ByteBuf frame, String kind, String reason, Throwable cause) {
        frame.release();
        log.closing(ctx.channel(), kind, reason, cause);
        closing = true;
        if (inFlight.isEmpty()) {
            flushAndClose();
        } else {
            // The close waits until earlier requests are done (their handlers still hold the request
            // buffers), but no further answer is sent, as Apache Kafka closes at once.
            RequestContext marker = new RequestContext(this, session, null, (short) 0, 0, null, null, null, 0, 0L);
            inFlight.add(marker);
            marker.closeConnection();
        }
    }

    /** The stage this connection's requests pass (for the quota calls of {@link RequestContext}). */
    PreDispatchStage stage() {
        return stage;
    }

    /** The event loop that serves this connection. */
    Executor executor() {
        return ctx.executor();
    }

    /** Called by a {@link RequestContext} when a handler completes it, from any thread. */
    void completed() {
        if (ctx.executor().inEventLoop()) {
            drain();
        } else {
            try {
                ctx.executor().execute(drainTask);
            } catch (RejectedExecutionException shuttingDown) {
                // The event loop is gone (broker shutdown): the connection is closed, nothing to send.
            }
        }
    }

    private void drain() {
        boolean wrote = false;
        while (!inFlight.isEmpty()) {
            RequestContext head = inFlight.peek();
            RequestContext.Outcome outcome = head.outcome();
            if (outcome == RequestContext.Outcome.PENDING) {
                break;
            }
            inFlight.poll();
            if (outcome == RequestContext.Outcome.CLOSE) {
                if (head.api != null) {
                    stage.completed(head, 0, true);
                }
                closing = true;
                releaseAll();
                flushAndClose();
                return;
            }
            int responseBytes = 0;
            boolean failed = false;
            long sendStartNanos = stage.nanoTime();
            if (outcome == RequestContext.Outcome.RESPOND && ctx.channel().isActive() && !closing) {
                try {
                    int throttleMs = stage.beforeWrite(head, head.response());
                    responseBytes =
                            writer.write(ctx, head.api, head.responseVersion(), head.correlationId, head.response());
                    wrote = true;
                    if (throttleMs > 0) {
                        mute(throttleMs);
                    }
                } catch (RuntimeException e) {
                    LOG.error(
                            "Cannot encode {} v{} response; closing the connection",
                            head.api.title,
                            head.responseVersion(),
                            e);
                    failed = true;
                    closing = true;
                    ctx.close();
                }
            }
            if (outcome == RequestContext.Outcome.NOTHING && !closing) {
                int throttleMs = stage.beforeWrite(head, null);
                if (throttleMs > 0) {
                    mute(throttleMs);
                }
            }
            ApiMessage response = head.response();
            stage.completed(head, responseBytes > 0 ? response : null, responseBytes, failed, sendStartNanos);
            if (response != null) {
                response.release();
            }
            int closeAfterMs = head.closeAfterMs();
            if (closeAfterMs >= 0 && !closing) {
                closeAfter(closeAfterMs);
                return;
            }
        }
        if (wrote) {
            if (reading) {
                flushPending = true;
            } else {
                ctx.flush();
            }
        }
        if (!ctx.channel().isWritable()) {
            ctx.channel().config().setAutoRead(false);
        } else {
            maybeResumeReading();
        }
    }

    /** Reads again unless closing, muted, too many requests in flight, or answers waiting to be sent. */
    private void maybeResumeReading() {
        if (!closing
                && !muted
                && !ctx.channel().config().isAutoRead()
                && inFlight.size() < MAX_IN_FLIGHT / 2
                && ctx.channel().isWritable()) {
            ctx.channel().config().setAutoRead(true);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        maybeResumeReading();
        ctx.fireChannelWritabilityChanged();
    }

    /** Sends what has been written, reads and answers nothing more, and closes {@code delayMs} later. */
    private void closeAfter(int delayMs) {
        closing = true;
        releaseAll();
        ctx.channel().config().setAutoRead(false);
        if (delayMs == 0) {
            flushAndClose();
            return;
        }
        flushPending = false;
        ctx.flush();
        ctx.executor().schedule(this::flushAndClose, delayMs, TimeUnit.MILLISECONDS);
    }

    /** Stops reading for {@code throttleMs} (or longer, if an earlier throttle lasts longer). */
    private void mute(int throttleMs) {
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(throttleMs);
        if (muted && until - mutedUntilNanos <= 0) {
            return;
        }
        mutedUntilNanos = until;
        if (unmuteFuture != null) {
            unmuteFuture.cancel(false);
        }
        if (!muted) {
            muted = true;
            ctx.channel().config().setAutoRead(false);
        }
        unmuteFuture = ctx.executor().schedule(unmuteTask, throttleMs, TimeUnit.MILLISECONDS);
    }

    private void unmute() {
        unmuteFuture = null;
        muted = false;
        maybeResumeReading();
    }

    /** Whether reads are stopped because the client is throttled. */
    boolean isMuted() {
        return muted;
    }

    /** Sends what has been written so far, then closes. */
    private void flushAndClose() {
        flushPending = false;
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    /** Drops responses that will never be sent (the connection is closing). */
    private void releaseAll() {
        // Pending contexts release their own request buffers when their handlers complete them;
        // responses completed but unsent are released here.
        for (RequestContext rc : inFlight) {
            if (rc.outcome() != RequestContext.Outcome.PENDING && rc.response() != null) {
                rc.response().release();
            }
        }
        inFlight.clear();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closing = true;
        ctx.fireChannelInactive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            LOG.debug("Closing idle connection from {}", ctx.channel().remoteAddress());
            ctx.close();
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.closing(ctx.channel(), "io-error", "I/O error", cause);
        closing = true;
        ctx.close();
    }
}
