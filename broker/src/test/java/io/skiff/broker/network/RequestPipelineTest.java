package io.skiff.broker.network;

import static org.assertj.core.api.Assertions.assertThat;

import io.skiff.wire.message.ApiVersionsRequest;
import io.skiff.wire.message.ApiVersionsResponse;
import io.skiff.wire.message.DescribeClusterRequest;
import io.skiff.wire.protocol.ApiKeys;
import io.skiff.wire.protocol.Errors;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The connection pipeline on EmbeddedChannels: framing, what closes a connection (and that it
 * closes only that one), the ApiVersions fallback, and responses held back behind an unfinished
 * request. (Order across a real socket with handlers completing in reverse is ResponseOrderTest.)
 */
class RequestPipelineTest {
    private final ConnectionLog log = new ConnectionLog();
    private final StubHandler apiVersions = new StubHandler(
            ApiKeys.API_VERSIONS, 0, 4, rc -> new ApiVersionsResponse().setThrottleTimeMs(rc.correlationId));
    private final StubHandler describeCluster = StubHandler.defaults(ApiKeys.DESCRIBE_CLUSTER, 0, 0);
    private final ApiDispatcher dispatcher =
            new ApiDispatcher(false).register(apiVersions).register(describeCluster);
    private final PreDispatchStage stage =
            new PreDispatchStage(NeverThrottle.INSTANCE, new RequestMetrics(), System::nanoTime);
    private Pipeline first;
    private Pipeline second;

    @BeforeEach
    void open() {
        first = new Pipeline(dispatcher, stage, log, Pipeline.plaintextSession());
        second = new Pipeline(dispatcher, stage, log, Pipeline.plaintextSession());
    }

    @AfterEach
    void close() {
        first.close();
        second.close();
    }

    static byte[] apiVersionsRequest(int correlationId) {
        return Pipeline.request(ApiKeys.API_VERSIONS, 2, correlationId, "pipeline-test", new ApiVersionsRequest());
    }

    static int throttleOf(byte[] frame, int correlationId) {
        return Pipeline.parse(frame, ApiKeys.API_VERSIONS, 2, correlationId, new ApiVersionsResponse())
                .throttleTimeMs();
    }

    /** The second connection still answers: whatever closed the first one closed nothing else. */
    private void assertSecondConnectionStillAnswers() {
        second.send(apiVersionsRequest(77));
        List<byte[]> out = second.responses();
        assertThat(out).hasSize(1);
        assertThat(throttleOf(out.get(0), 77)).isEqualTo(77);
        assertThat(second.isOpen()).isTrue();
    }

    @Test
    void aFrameSplitAcrossManyReadsIsReassembled() {
        byte[] request = apiVersionsRequest(1);
        for (byte b : request) {
            assertThat(first.responses()).isEmpty();
            first.send(new byte[] {b});
        }
        List<byte[]> out = first.responses();
        assertThat(out).hasSize(1);
        assertThat(throttleOf(out.get(0), 1)).isEqualTo(1);
        assertThat(apiVersions.seen).hasSize(1);
    }

    @Test
    void framesCoalescedInOneReadAreAllAnsweredInOrder() {
        byte[] a = apiVersionsRequest(10);
        byte[] b = apiVersionsRequest(11);
        byte[] c = apiVersionsRequest(12);
        byte[] all = new byte[a.length + b.length + c.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        System.arraycopy(c, 0, all, a.length + b.length, c.length);
        // The third request also straddles two reads.
        int cut = a.length + b.length + 3;
        first.sendInReads(Arrays.copyOfRange(all, 0, cut), Arrays.copyOfRange(all, cut, all.length));
        List<byte[]> out = first.responses();
        assertThat(out).hasSize(3);
        for (int i = 0; i < 3; i++) {
            assertThat(throttleOf(out.get(i), 10 + i)).isEqualTo(10 + i);
        }
    }

    @Test
    void anAnswerWaitsForTheRequestAheadOfIt() {
        apiVersions.hold = true;
        first.send(apiVersionsRequest(1));
        first.send(apiVersionsRequest(2));
        apiVersions.release(1);
        assertThat(first.responses()).as("request 2 waits for request 1").isEmpty();
        apiVersions.release(0);
        List<byte[]> out = first.responses();
        assertThat(out).hasSize(2);
        assertThat(throttleOf(out.get(0), 1)).isEqualTo(1);
        assertThat(throttleOf(out.get(1), 2)).isEqualTo(2);
    }

    @Test
    void aBadFrameBehindAPendingRequestClosesOnceThatRequestIsDone() {
        apiVersions.hold = true;
        first.send(apiVersionsRequest(1));
        first.send(new byte[] {0, 0, 0, 2, 0, 18}); // a frame too short for a request header
        assertThat(first.isOpen()).as("the close waits for the pending request").isTrue();
        first.send(apiVersionsRequest(2));
        assertThat(apiVersions.seen).as("nothing is read after the bad frame").hasSize(1);
        apiVersions.release(0);
        // As in Apache Kafka, which closes at once, the pending request gets no answer.
        assertThat(first.responses()).isEmpty();
        assertThat(first.isOpen()).isFalse();
        assertThat(log.count("bad-header")).isEqualTo(1);
    }

    @Test
    void aFrameAboveTheMaximumClosesThatConnectionOnly() {
        // Only the size arrives: the connection closes without waiting for (or allocating) the frame.
        first.send(ByteBuffer.allocate(4).putInt(Pipeline.MAX_FRAME_BYTES + 1).array());
        assertThat(first.isOpen()).isFalse();
        assertThat(first.responses()).isEmpty();
        assertThat(log.count("invalid-frame-size")).isEqualTo(1);
        assertSecondConnectionStillAnswers();
    }

    @Test
    void aNegativeFrameSizeClosesTheConnection() {
        first.send(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xfe});
        assertThat(first.isOpen()).isFalse();
        assertThat(log.count("invalid-frame-size")).isEqualTo(1);
        assertSecondConnectionStillAnswers();
    }

    @Test
    void aFrameOfExactlyTheMaximumIsAccepted() {
        // Header v1 (api key, version, correlation id, client id length) and an empty v2 body: the
        // client id fills the frame up to the maximum.
        String clientId = "c".repeat(Pipeline.MAX_FRAME_BYTES - 10);
        byte[] request = Pipeline.request(ApiKeys.API_VERSIONS, 2, 5, clientId, new ApiVersionsRequest());
        assertThat(request.length).isEqualTo(4 + Pipeline.MAX_FRAME_BYTES);
        first.send(request);
        assertThat(first.isOpen()).isTrue();
        assertThat(first.responses()).hasSize(1);
        assertThat(first.session.clientId()).isEqualTo(clientId);
    }

    @Test
    void aMalformedHeaderClosesThatConnectionOnly() {
        byte[] request = apiVersionsRequest(3);
        // Claim a client id longer than the frame: api key, version, correlation id, then length 0x7fff.
        ByteBuffer.wrap(request).putShort(12, Short.MAX_VALUE);
        first.send(request);
        assertThat(first.isOpen()).isFalse();
        assertThat(first.responses()).isEmpty();
        assertThat(apiVersions.seen).isEmpty();
        assertThat(log.count("bad-header")).isEqualTo(1);
        assertSecondConnectionStillAnswers();
    }

    @Test
    void anUnknownApiKeyClosesTheConnection() {
        byte[] request = apiVersionsRequest(4);
        ByteBuffer.wrap(request).putShort(4, (short) 999);
        first.send(request);
        assertThat(first.isOpen()).isFalse();
        assertThat(log.count("unknown-api")).isEqualTo(1);
        assertSecondConnectionStillAnswers();
    }

    @Test
    void anApiThisBrokerDoesNotServeClosesTheConnection() {
        first.send(Pipeline.request(ApiKeys.HEARTBEAT, 4, 5, "c", ApiKeys.HEARTBEAT.newRequest()));
        assertThat(first.isOpen()).isFalse();
        assertThat(log.count("unsupported-api")).isEqualTo(1);
        assertSecondConnectionStillAnswers();
    }

    @Test
    void anUnsupportedVersionOfAnotherApiClosesTheConnection() {
        first.send(Pipeline.request(ApiKeys.DESCRIBE_CLUSTER, 1, 6, "c", new DescribeClusterRequest()));
        assertThat(first.isOpen()).isFalse();
        assertThat(first.responses()).isEmpty();
        assertThat(describeCluster.seen).isEmpty();
        assertThat(log.count("unsupported-version")).isEqualTo(1);
        assertSecondConnectionStillAnswers();
    }

    @Test
    void anUnparsableBodyClosesTheConnection() {
        byte[] request = Pipeline.request(
                ApiKeys.API_VERSIONS,
                3,
                8,
                "c",
                new ApiVersionsRequest().setClientSoftwareName("skiff-test").setClientSoftwareVersion("1.0"));
        // Cut the frame inside the body (keep the size prefix consistent with the shorter frame).
        byte[] cut = Arrays.copyOf(request, request.length - 4);
        ByteBuffer.wrap(cut).putInt(0, cut.length - 4);
        first.send(cut);
        assertThat(first.isOpen()).isFalse();
        assertThat(apiVersions.seen).isEmpty();
        assertThat(log.count("bad-request")).isEqualTo(1);
        assertSecondConnectionStillAnswers();
    }

    @Test
    void anApiVersionsVersionAboveTheSupportedOnesGetsTheVersion0ErrorAnswer() {
        short tooNew = (short) (ApiKeys.API_VERSIONS.highestVersion + 1);
        // A newer client's ApiVersions: a flexible version with the request header v2.
        byte[] request = Pipeline.request(
                ApiKeys.API_VERSIONS,
                3,
                9,
                "newer-client",
                new ApiVersionsRequest().setClientSoftwareName("future").setClientSoftwareVersion("9"));
        ByteBuffer.wrap(request).putShort(6, tooNew);
        first.send(request);
        List<byte[]> out = first.responses();
        assertThat(out).hasSize(1);
        ApiVersionsResponse r = Pipeline.parse(out.get(0), ApiKeys.API_VERSIONS, 0, 9, new ApiVersionsResponse());
        assertThat(r.errorCode()).isEqualTo(Errors.UNSUPPORTED_VERSION.code);
        assertThat(r.apiKeys()).hasSize(1);
        ApiVersionsResponse.ApiVersion only = r.apiKeys().get(0);
        assertThat(only.apiKey()).isEqualTo(ApiKeys.API_VERSIONS.id);
        assertThat(only.minVersion()).isEqualTo((short) 0);
        assertThat(only.maxVersion()).isEqualTo((short) 4);
        assertThat(apiVersions.seen).as("the handler is not asked").isEmpty();
        assertThat(first.isOpen()).as("the client may retry on this connection").isTrue();
    }

    @Test
    void aHandlerThatThrowsClosesTheConnection() {
        StubHandler throwing = new StubHandler(ApiKeys.API_VERSIONS, 0, 4, rc -> {
            throw new IllegalStateException("handler bug (expected by the test)");
        });
        try (Pipeline p =
                new Pipeline(new ApiDispatcher(false).register(throwing), stage, log, Pipeline.plaintextSession())) {
            p.send(apiVersionsRequest(1));
            assertThat(p.responses()).isEmpty();
            assertThat(p.isOpen()).isFalse();
        }
        assertSecondConnectionStillAnswers();
    }
}
