package io.skiff.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.skiff.wire.message.MetadataRequest;
import io.skiff.wire.message.MetadataResponse;
import io.skiff.wire.message.RequestHeader;
import io.skiff.wire.message.ResponseHeader;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;

/**
 * Sends one Metadata request (version 12, no topics) over a fresh connection and says whether a
 * well-formed answer naming at least one broker came back. Used to time a broker's start-up
 * without a client library's reconnect back-off in the way. Stateless; thread-safe.
 */
public final class MetadataProbe {
    private static final short VERSION = 12;

    private MetadataProbe() {}

    /** True if the broker at host:port answered Metadata with at least one broker within {@code timeoutMs}. */
    public static boolean answers(String host, int port, int timeoutMs) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), timeoutMs);
            socket.setSoTimeout(timeoutMs);
            socket.setTcpNoDelay(true);
            RequestHeader header = new RequestHeader()
                    .setRequestApiKey(MetadataRequest.API_KEY)
                    .setRequestApiVersion(VERSION)
                    .setCorrelationId(1)
                    .setClientId("skiff-bench-probe");
            MetadataRequest body =
                    new MetadataRequest().setTopics(new ArrayList<>()).setAllowAutoTopicCreation(false);
            int size = header.size((short) 2) + body.size(VERSION);
            ByteBuf out = Unpooled.buffer(4 + size);
            try {
                out.writeInt(size);
                header.write(out, (short) 2);
                body.write(out, VERSION);
                OutputStream os = socket.getOutputStream();
                os.write(out.array(), out.arrayOffset() + out.readerIndex(), out.readableBytes());
                os.flush();
            } finally {
                out.release();
            }
            DataInputStream in = new DataInputStream(socket.getInputStream());
            int length = in.readInt();
            if (length <= 0 || length > 16 << 20) {
                return false;
            }
            byte[] frame = new byte[length];
            in.readFully(frame);
            ByteBuf buf = Unpooled.wrappedBuffer(frame);
            ResponseHeader responseHeader = new ResponseHeader(buf, (short) 1);
            if (responseHeader.correlationId() != 1) {
                return false;
            }
            MetadataResponse response = new MetadataResponse(buf, VERSION);
            return !response.brokers().isEmpty();
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
