package io.skiff.broker.network;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.skiff.broker.config.BrokerConfig;
import io.skiff.wire.message.ApiVersionsRequest;
import io.skiff.wire.message.ApiVersionsResponse;
import io.skiff.wire.message.RequestHeader;
import io.skiff.wire.protocol.ApiKeys;
import java.io.DataInputStream;
import java.net.Socket;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Responses leave a connection in request order even when handlers complete them out of order. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ResponseOrderTest {
    /** Holds every request until the last one arrives, then completes them last first. */
    static final class ReverseOrderHandler extends ApiHandler<ApiVersionsRequest> {
        static final int COUNT = 8;
        final RequestContext[] held = new RequestContext[COUNT];
        final AtomicInteger arrivals = new AtomicInteger();
        final AtomicInteger completionOrder = new AtomicInteger();
        final int[] completedAt = new int[COUNT];

        ReverseOrderHandler() {
            super(ApiKeys.API_VERSIONS, 0, 4);
        }

        @Override
        public void handle(RequestContext context, ApiVersionsRequest request) {
            int n = arrivals.getAndIncrement();
            held[n] = context;
            if (n == COUNT - 1) {
                for (int i = COUNT - 1; i >= 0; i--) {
                    completedAt[i] = completionOrder.getAndIncrement();
                    held[i].respond(new ApiVersionsResponse().setThrottleTimeMs(i));
                }
            }
        }
    }

    @Test
    void responsesLeaveInRequestOrderWhenHandlersCompleteInReverse() throws Exception {
        ReverseOrderHandler handler = new ReverseOrderHandler();
        ApiDispatcher dispatcher = new ApiDispatcher(false).register(handler);
        SkiffServer server =
                new SkiffServer(new BrokerConfig(Map.of("listeners", "PLAINTEXT://127.0.0.1:0")), dispatcher);
        server.start();
        try (Socket socket = new Socket("127.0.0.1", server.boundPort("PLAINTEXT"))) {
            ByteBuf out = Unpooled.buffer();
            for (int i = 0; i < ReverseOrderHandler.COUNT; i++) {
                RequestHeader header = new RequestHeader()
                        .setRequestApiKey(ApiKeys.API_VERSIONS.id)
                        .setRequestApiVersion((short) 2)
                        .setCorrelationId(100 + i)
                        .setClientId("order-test");
                ApiVersionsRequest body = new ApiVersionsRequest();
                out.writeInt(header.size((short) 1) + body.size((short) 2));
                header.write(out, (short) 1);
                body.write(out, (short) 2);
            }
            byte[] bytes = new byte[out.readableBytes()];
            out.readBytes(bytes);
            out.release();
            socket.getOutputStream().write(bytes);
            DataInputStream in = new DataInputStream(socket.getInputStream());
            for (int i = 0; i < ReverseOrderHandler.COUNT; i++) {
                byte[] frame = new byte[in.readInt()];
                in.readFully(frame);
                ByteBuf buf = Unpooled.wrappedBuffer(frame);
                assertThat(buf.readInt()).as("correlation id of response %d", i).isEqualTo(100 + i);
                ApiVersionsResponse r = new ApiVersionsResponse(buf, (short) 2);
                assertThat(r.throttleTimeMs()).isEqualTo(i);
            }
        } finally {
            server.shutdown();
        }
        // The handler really did complete them out of order: the last request finished first.
        assertThat(handler.completedAt[ReverseOrderHandler.COUNT - 1]).isEqualTo(0);
        assertThat(handler.completedAt[0]).isEqualTo(ReverseOrderHandler.COUNT - 1);
    }
}
