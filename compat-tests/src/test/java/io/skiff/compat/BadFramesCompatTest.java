package io.skiff.compat;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Bad input closes only the connection it came on, as Apache Kafka does; the broker keeps
 * serving every other connection.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BadFramesCompatTest {
    @RegisterExtension
    static final SkiffBrokerExtension BROKER = new SkiffBrokerExtension().with("socket.request.max.bytes", "1048576");

    @Test
    void oversizedFrameClosesItsConnectionAndOthersAreStillServed() throws Exception {
        try (RawConnection healthy = new RawConnection("127.0.0.1", BROKER.port());
                RawConnection bad = new RawConnection("127.0.0.1", BROKER.port())) {
            assertServed(healthy);
            bad.sendRaw(ByteBuffer.allocate(4).putInt(1048577).array());
            assertThat(bad.closedByPeer()).isTrue();
            assertServed(healthy);
        }
    }

    @Test
    void frameOfExactlyTheMaximumSizeIsAccepted() throws Exception {
        try (RawConnection c = new RawConnection("127.0.0.1", BROKER.port())) {
            // An ApiVersions v0 request padded to the limit: trailing bytes after the body are ignored.
            ByteBuffer frame = ByteBuffer.allocate(4 + 1048576);
            frame.putInt(1048576)
                    .putShort((short) 18)
                    .putShort((short) 0)
                    .putInt(5)
                    .putShort((short) -1);
            c.sendRaw(frame.array());
            ApiVersionsResponseData resp =
                    new ApiVersionsResponseData(new ByteBufferAccessor(c.receive(5, (short) 0)), (short) 0);
            assertThat(resp.errorCode()).isEqualTo(Errors.NONE.code());
        }
    }

    @Test
    void negativeFrameSizeClosesTheConnection() throws Exception {
        try (RawConnection c = new RawConnection("127.0.0.1", BROKER.port())) {
            c.sendRaw(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xfe});
            assertThat(c.closedByPeer()).isTrue();
        }
        try (RawConnection healthy = new RawConnection("127.0.0.1", BROKER.port())) {
            assertServed(healthy);
        }
    }

    @Test
    void garbageFramesCloseTheirConnectionAndOthersAreStillServed() throws Exception {
        Random rnd = new Random(7);
        try (RawConnection healthy = new RawConnection("127.0.0.1", BROKER.port())) {
            for (int i = 0; i < 30; i++) {
                byte[] garbage = new byte[1 + rnd.nextInt(40)];
                rnd.nextBytes(garbage);
                if (i % 3 == 0 && garbage.length >= 4) {
                    // A known key with a truncated or garbled header and body.
                    garbage[0] = 0;
                    garbage[1] = 18;
                    garbage[2] = 0;
                    garbage[3] = 3;
                }
                try (RawConnection bad = new RawConnection("127.0.0.1", BROKER.port())) {
                    ByteBuffer frame = ByteBuffer.allocate(4 + garbage.length)
                            .putInt(garbage.length)
                            .put(garbage);
                    bad.sendRaw(frame.array());
                    assertThat(bad.closedByPeer()).as("garbage frame %d", i).isTrue();
                }
            }
            assertServed(healthy);
        }
    }

    @Test
    void unknownApiKeyClosesTheConnection() throws Exception {
        try (RawConnection c = new RawConnection("127.0.0.1", BROKER.port())) {
            ByteBuffer frame = ByteBuffer.allocate(4 + 15);
            frame.putInt(15)
                    .putShort((short) 999)
                    .putShort((short) 0)
                    .putInt(1)
                    .putShort((short) 5)
                    .put("probe".getBytes());
            c.sendRaw(frame.array());
            assertThat(c.closedByPeer()).isTrue();
        }
    }

    @Test
    void apiWithoutHandlerClosesTheConnectionAfterEarlierResponses() throws Exception {
        // Apache Kafka closes the connection for an API it does not serve; responses already due are sent first.
        try (RawConnection c = new RawConnection("127.0.0.1", BROKER.port())) {
            int first = c.send(ApiKeys.API_VERSIONS, (short) 0, new ApiVersionsRequestData());
            c.send(
                    ApiKeys.ALTER_PARTITION_REASSIGNMENTS,
                    (short) 0,
                    new org.apache.kafka.common.message.AlterPartitionReassignmentsRequestData());
            assertThat(c.receive(first, (short) 0).remaining()).isPositive();
            assertThat(c.closedByPeer()).isTrue();
        }
    }

    @Test
    void truncatedBodyClosesTheConnection() throws Exception {
        try (RawConnection c = new RawConnection("127.0.0.1", BROKER.port())) {
            // ApiVersions v3 header followed by a client software name that claims 15 bytes but has 2.
            ByteBuffer frame = ByteBuffer.allocate(4 + 18);
            frame.putInt(18)
                    .putShort((short) 18)
                    .putShort((short) 3)
                    .putInt(9)
                    .putShort((short) 4)
                    .put("test".getBytes())
                    .put((byte) 0)
                    .put((byte) 0x10)
                    .put((byte) 'a')
                    .put((byte) 'b');
            c.sendRaw(frame.array());
            assertThat(c.closedByPeer()).isTrue();
        }
    }

    private static void assertServed(RawConnection c) throws Exception {
        int corr = c.send(
                ApiKeys.API_VERSIONS,
                (short) 3,
                new ApiVersionsRequestData()
                        .setClientSoftwareName("skiff-compat")
                        .setClientSoftwareVersion("1.0"));
        ApiVersionsResponseData resp =
                new ApiVersionsResponseData(new ByteBufferAccessor(c.receive(corr, (short) 0)), (short) 3);
        assertThat(resp.errorCode()).isEqualTo(Errors.NONE.code());
    }
}
