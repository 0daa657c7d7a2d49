package io.skiff.broker.network;

import static org.assertj.core.api.Assertions.assertThat;

import io.skiff.wire.message.ApiVersionsRequest;
import io.skiff.wire.message.ApiVersionsResponse;
import io.skiff.wire.message.DescribeClusterRequest;
import io.skiff.wire.message.DescribeClusterResponse;
import io.skiff.wire.message.SaslAuthenticateRequest;
import io.skiff.wire.message.SaslHandshakeRequest;
import io.skiff.wire.message.SaslHandshakeResponse;
import io.skiff.wire.protocol.ApiKeys;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The pre-dispatch stage on real requests over EmbeddedChannels: the authentication gate, the
 * quota hook and throttle_time_ms, per-API metrics, and what the session learns from requests.
 */
class PreDispatchStageTest {
    private final ConnectionLog log = new ConnectionLog();
    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private final RequestMetrics metrics = new RequestMetrics();
    private final StubHandler apiVersions = StubHandler.defaults(ApiKeys.API_VERSIONS, 0, 4);
    private final StubHandler describeCluster = StubHandler.defaults(ApiKeys.DESCRIBE_CLUSTER, 0, 1);
    private final StubHandler saslHandshake = StubHandler.defaults(ApiKeys.SASL_HANDSHAKE, 0, 1);
    private final StubHandler saslAuthenticate = StubHandler.defaults(ApiKeys.SASL_AUTHENTICATE, 0, 2);
    private final ApiDispatcher dispatcher = new ApiDispatcher(false)
            .register(apiVersions)
            .register(describeCluster)
            .register(saslHandshake)
            .register(saslAuthenticate);
    private final List<Pipeline> pipelines = new ArrayList<>();

    @AfterEach
    void close() {
        pipelines.forEach(Pipeline::close);
    }

    private Pipeline connect(Session session, QuotaHook quota) {
        Pipeline p = new Pipeline(dispatcher, new PreDispatchStage(quota, metrics, clock::get), log, session);
        pipelines.add(p);
        return p;
    }

    private Pipeline connect(Session session) {
        return connect(session, NeverThrottle.INSTANCE);
    }

    private static Session saslSession() {
        return new Session("SASL", SecurityProtocol.SASL_PLAINTEXT, null);
    }

    static byte[] describeClusterRequest(int correlationId) {
        return Pipeline.request(ApiKeys.DESCRIBE_CLUSTER, 0, correlationId, "c", new DescribeClusterRequest());
    }

    // ---------------------------------------------------------------------------------------
    // authentication gate

    @Test
    void anUnauthenticatedSessionMayOnlySendApiVersionsAndTheSaslRequests() {
        Pipeline p = connect(saslSession());
        assertThat(p.session.authState()).isEqualTo(AuthState.UNAUTHENTICATED);
        p.send(Pipeline.request(
                ApiKeys.API_VERSIONS,
                3,
                1,
                "c",
                new ApiVersionsRequest().setClientSoftwareName("skiff-test").setClientSoftwareVersion("1")));
        p.send(Pipeline.request(ApiKeys.SASL_HANDSHAKE, 1, 2, "c", new SaslHandshakeRequest().setMechanism("PLAIN")));
        p.send(Pipeline.request(ApiKeys.SASL_AUTHENTICATE, 2, 3, "c", new SaslAuthenticateRequest()));
        assertThat(p.responses()).hasSize(3);
        assertThat(p.isOpen()).isTrue();

        p.send(describeClusterRequest(4));
        assertThat(p.responses()).isEmpty();
        assertThat(p.isOpen()).as("any other request closes the connection").isFalse();
        assertThat(describeCluster.seen).isEmpty();
        assertThat(log.count("unauthenticated-request")).isEqualTo(1);
        assertThat(metrics.snapshot(ApiKeys.DESCRIBE_CLUSTER).failed()).isEqualTo(1);
    }

    @Test
    void anUnsupportedApiVersionsVersionIsStillAnsweredBeforeAuthentication() {
        Pipeline p = connect(saslSession());
        byte[] request = Pipeline.request(ApiKeys.API_VERSIONS, 3, 1, "c", new ApiVersionsRequest());
        ByteBuffer.wrap(request).putShort(6, (short) (ApiKeys.API_VERSIONS.highestVersion + 1));
        p.send(request);
        assertThat(p.responses()).hasSize(1);
        assertThat(p.isOpen()).isTrue();
    }

    @Test
    void onceAuthenticatedEveryApiPasses() {
        Pipeline p = connect(saslSession());
        p.session.authenticated(KafkaPrincipal.user("alice"));
        p.send(describeClusterRequest(1));
        assertThat(p.responses()).hasSize(1);
        assertThat(describeCluster.seen).hasSize(1);
        assertThat(describeCluster.seen.get(0).session().principal()).isEqualTo(KafkaPrincipal.user("alice"));
    }

    @Test
    void afterAFailedAuthenticationNothingPasses() {
        Pipeline p = connect(saslSession());
        p.session.authenticationFailed();
        p.send(Pipeline.request(ApiKeys.API_VERSIONS, 2, 1, "c", new ApiVersionsRequest()));
        assertThat(p.responses()).isEmpty();
        assertThat(p.isOpen()).isFalse();
        assertThat(apiVersions.seen).isEmpty();
    }

    @Test
    void aPlaintextSessionIsAuthenticatedAsAnonymousFromTheStart() {
        Pipeline p = connect(Pipeline.plaintextSession());
        p.send(describeClusterRequest(1));
        assertThat(p.responses()).hasSize(1);
        assertThat(describeCluster.seen.get(0).session()).isSameAs(p.session);
        assertThat(p.session.principal().toString()).isEqualTo("User:ANONYMOUS");
    }

    // ---------------------------------------------------------------------------------------
    // quota hook and throttle_time_ms

    /** A quota hook that throttles every request by a fixed time and remembers what it was asked. */
    static final class FixedThrottle implements QuotaHook {
        final int throttleMs;
        final List<String> calls = new ArrayList<>();
        boolean enabled = true;

        FixedThrottle(int throttleMs) {
            this.throttleMs = throttleMs;
        }

        @Override
        public boolean enabled() {
            return enabled;
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
            calls.add(clientId + " " + api + " " + requestBytes + " " + hasResponse + " " + nowMs);
            return throttleMs;
        }

        @Override
        public int fetchMaxBytes(Session session, String clientId) {
            calls.add("fetchMaxBytes");
            return Integer.MAX_VALUE;
        }

        @Override
        public int throttleFetch(Session session, String clientId, int responseBytes, long handlerNanos, long nowMs) {
            calls.add("throttleFetch");
            return 0;
        }
    }

    @Test
    void theQuotaHooksThrottleTimeIsWrittenIntoTheResponse() {
        FixedThrottle quota = new FixedThrottle(250);
        Pipeline p = connect(Pipeline.plaintextSession(), quota);
        byte[] request = describeClusterRequest(1);
        p.send(request);
        List<byte[]> out = p.responses();
        DescribeClusterResponse r =
                Pipeline.parse(out.get(0), ApiKeys.DESCRIBE_CLUSTER, 0, 1, new DescribeClusterResponse());
        assertThat(r.throttleTimeMs()).isEqualTo(250);
        assertThat(quota.calls)
                .containsExactly("c DESCRIBE_CLUSTER " + (request.length - 4) + " true " + clock.get() / 1_000_000L);
    }

    @Test
    void aThrottledConnectionStopsReadingForTheThrottleTime() {
        Pipeline p = connect(Pipeline.plaintextSession(), new FixedThrottle(250));
        p.channel.freezeTime();
        p.send(describeClusterRequest(1));
        assertThat(p.responses()).as("the answer goes out at once").hasSize(1);
        assertThat(p.channel.config().isAutoRead()).as("muted").isFalse();
        p.channel.advanceTimeBy(249, TimeUnit.MILLISECONDS);
        p.channel.runScheduledPendingTasks();
        assertThat(p.channel.config().isAutoRead()).as("still muted").isFalse();
        p.channel.advanceTimeBy(1, TimeUnit.MILLISECONDS);
        p.channel.runScheduledPendingTasks();
        assertThat(p.channel.config().isAutoRead())
                .as("unmuted after the throttle time")
                .isTrue();
    }

    @Test
    void anUnthrottledConnectionKeepsReading() {
        Pipeline p = connect(Pipeline.plaintextSession(), new FixedThrottle(0));
        p.send(describeClusterRequest(1));
        assertThat(p.responses()).hasSize(1);
        assertThat(p.channel.config().isAutoRead()).isTrue();
    }

    @Test
    void whileTheHookSaysNoQuotaIsSetItIsNeverAsked() {
        FixedThrottle quota = new FixedThrottle(250);
        quota.enabled = false;
        Pipeline p = connect(Pipeline.plaintextSession(), quota);
        p.send(describeClusterRequest(1));
        DescribeClusterResponse r =
                Pipeline.parse(p.responses().get(0), ApiKeys.DESCRIBE_CLUSTER, 0, 1, new DescribeClusterResponse());
        assertThat(r.throttleTimeMs()).isZero();
        assertThat(quota.calls).isEmpty();
        assertThat(p.channel.config().isAutoRead()).isTrue();
    }

    @Test
    void aLongerThrottleSetByTheHandlerIsKept() {
        StubHandler own =
                new StubHandler(ApiKeys.API_VERSIONS, 0, 4, rc -> new ApiVersionsResponse().setThrottleTimeMs(400));
        Pipeline p = new Pipeline(
                new ApiDispatcher(false).register(own),
                new PreDispatchStage(new FixedThrottle(250), metrics, clock::get),
                log,
                Pipeline.plaintextSession());
        pipelines.add(p);
        p.send(Pipeline.request(ApiKeys.API_VERSIONS, 2, 1, "c", new ApiVersionsRequest()));
        ApiVersionsResponse r =
                Pipeline.parse(p.responses().get(0), ApiKeys.API_VERSIONS, 2, 1, new ApiVersionsResponse());
        assertThat(r.throttleTimeMs()).isEqualTo(400);
    }

    @Test
    void withoutQuotasResponsesKeepTheHandlersThrottleTime() {
        Pipeline p = connect(Pipeline.plaintextSession());
        p.send(describeClusterRequest(1));
        DescribeClusterResponse r =
                Pipeline.parse(p.responses().get(0), ApiKeys.DESCRIBE_CLUSTER, 0, 1, new DescribeClusterResponse());
        assertThat(r.throttleTimeMs()).isZero();
    }

    @Test
    void aResponseWithoutThrottleTimeIsSentUnchangedWhenThrottled() {
        Pipeline p = connect(Pipeline.plaintextSession(), new FixedThrottle(250));
        p.send(Pipeline.request(ApiKeys.SASL_HANDSHAKE, 1, 1, "c", new SaslHandshakeRequest().setMechanism("PLAIN")));
        SaslHandshakeResponse r =
                Pipeline.parse(p.responses().get(0), ApiKeys.SASL_HANDSHAKE, 1, 1, new SaslHandshakeResponse());
        assertThat(r).isEqualTo(new SaslHandshakeResponse());
    }

    // ---------------------------------------------------------------------------------------
    // metrics

    @Test
    void metricsCountRequestsBytesAndLatencyPerApi() {
        Pipeline p = connect(Pipeline.plaintextSession());
        apiVersions.hold = true;
        long requestBytes = 0;
        for (int i = 0; i < 3; i++) {
            byte[] request = Pipeline.request(ApiKeys.API_VERSIONS, 2, i, "client-" + i, new ApiVersionsRequest());
            requestBytes += request.length - 4;
            p.send(request);
        }
        // Answered 5 ms, 7 ms and 9 ms after they arrived.
        for (int i = 0; i < 3; i++) {
            clock.addAndGet(i == 0 ? 5_000_000L : 2_000_000L);
            apiVersions.release(i);
        }
        long responseBytes = 0;
        for (byte[] frame : p.responses()) {
            responseBytes += frame.length;
        }
        RequestMetrics.Snapshot s = metrics.snapshot(ApiKeys.API_VERSIONS);
        assertThat(s.requests()).isEqualTo(3);
        assertThat(s.failed()).isZero();
        assertThat(s.requestBytes()).isEqualTo(requestBytes);
        assertThat(s.responseBytes()).isEqualTo(responseBytes).isPositive();
        assertThat(s.timedRequests()).isEqualTo(3);
        assertThat(s.totalLatencyNanos()).isEqualTo(21_000_000L);
        assertThat(s.maxLatencyNanos()).isEqualTo(9_000_000L);
        assertThat(s.meanLatencyNanos()).isEqualTo(7_000_000.0);
        assertThat(metrics.snapshot(ApiKeys.DESCRIBE_CLUSTER).requests())
                .as("other APIs")
                .isZero();
    }

    @Test
    void metricsCountRequestsThatCloseTheConnectionAsFailed() {
        StubHandler closing = new StubHandler(ApiKeys.DESCRIBE_CLUSTER, 0, 0, rc -> null);
        Pipeline p = new Pipeline(
                new ApiDispatcher(false).register(closing),
                new PreDispatchStage(NeverThrottle.INSTANCE, metrics, clock::get),
                log,
                Pipeline.plaintextSession());
        pipelines.add(p);
        byte[] request = describeClusterRequest(1);
        p.send(request);
        assertThat(p.isOpen()).isFalse();
        Pipeline refusedVersion = new Pipeline(
                new ApiDispatcher(false).register(closing),
                new PreDispatchStage(NeverThrottle.INSTANCE, metrics, clock::get),
                log,
                Pipeline.plaintextSession());
        pipelines.add(refusedVersion);
        byte[] v1 = Pipeline.request(ApiKeys.DESCRIBE_CLUSTER, 1, 2, "c", new DescribeClusterRequest());
        refusedVersion.send(v1);
        assertThat(refusedVersion.isOpen()).isFalse();

        RequestMetrics.Snapshot s = metrics.snapshot(ApiKeys.DESCRIBE_CLUSTER);
        assertThat(s.requests()).isEqualTo(2);
        assertThat(s.failed()).isEqualTo(2);
        assertThat(s.requestBytes()).isEqualTo(request.length - 4 + v1.length - 4);
        assertThat(s.responseBytes()).isZero();
        assertThat(s.timedRequests()).as("only the request a handler saw").isEqualTo(1);
    }

    // ---------------------------------------------------------------------------------------
    // what the session learns

    @Test
    void theSessionKeepsTheLatestClientIdAndValidClientSoftware() {
        Pipeline p = connect(Pipeline.plaintextSession());
        assertThat(p.session.clientSoftwareName()).isEqualTo(Session.UNKNOWN_SOFTWARE);
        p.send(Pipeline.request(
                ApiKeys.API_VERSIONS,
                3,
                1,
                "first",
                new ApiVersionsRequest()
                        .setClientSoftwareName("apache-kafka-java")
                        .setClientSoftwareVersion("4.3.1")));
        assertThat(p.session.clientId()).isEqualTo("first");
        assertThat(p.session.clientSoftwareName()).isEqualTo("apache-kafka-java");
        assertThat(p.session.clientSoftwareVersion()).isEqualTo("4.3.1");

        // Invalid software strings are not recorded (the handler answers INVALID_REQUEST to them).
        p.send(Pipeline.request(
                ApiKeys.API_VERSIONS,
                3,
                2,
                "second",
                new ApiVersionsRequest().setClientSoftwareName("-bad-").setClientSoftwareVersion("1")));
        assertThat(p.session.clientId()).isEqualTo("second");
        assertThat(p.session.clientSoftwareName()).isEqualTo("apache-kafka-java");

        p.send(describeClusterRequest(3));
        assertThat(p.responses()).hasSize(3);
        assertThat(p.session.clientId()).isEqualTo("c");
        assertThat(describeCluster.seen.get(0).clientId).isEqualTo("c");
        assertThat(p.session.clientSoftwareVersion()).isEqualTo("4.3.1");
    }
}
