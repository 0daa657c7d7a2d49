package io.skiff.compat;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.MessageUtil;

/**
 * A bare socket to a broker for tests that send what no well-behaved client sends: raw
 * frames, bad sizes, garbage. Requests are serialized with kafka-clients' own message classes.
 */
final class RawConnection implements AutoCloseable {
    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private int nextCorrelationId = 1;

    RawConnection(String host, int port) throws IOException {
        socket = new Socket(host, port);
        socket.setSoTimeout(10_000);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Sends a request with the header version kafka-clients uses for it; returns its correlation id. */
    int send(ApiKeys api, short version, ApiMessage body) throws IOException {
        int correlationId = nextCorrelationId++;
        short headerVersion = api.requestHeaderVersion(version);
        RequestHeaderData header = new RequestHeaderData()
                .setRequestApiKey(api.id)
                .setRequestApiVersion(version)
                .setCorrelationId(correlationId)
                .setClientId("skiff-compat");
        ByteBuffer h = MessageUtil.toByteBufferAccessor(header, headerVersion).buffer();
        ByteBuffer b = MessageUtil.toByteBufferAccessor(body, version).buffer();
        ByteBuffer frame = ByteBuffer.allocate(4 + h.remaining() + b.remaining());
        frame.putInt(h.remaining() + b.remaining()).put(h).put(b);
        sendRaw(frame.array());
        return correlationId;
    }

    /** Reads one response frame; returns its body after checking the correlation id. */
    ByteBuffer receive(int correlationId, short responseHeaderVersion) throws IOException {
        int size = in.readInt();
        byte[] frame = new byte[size];
        in.readFully(frame);
        ByteBuffer buf = ByteBuffer.wrap(frame);
        ResponseHeaderData header = new ResponseHeaderData(new ByteBufferAccessor(buf), responseHeaderVersion);
        if (header.correlationId() != correlationId) {
            throw new IllegalStateException(
                    "expected correlation id " + correlationId + ", got " + header.correlationId());
        }
        return buf.slice();
    }

    /** Sends {@code payload} as a bare size-prefixed frame, with no request header (SASL tokens after a v0 handshake). */
    void sendBare(byte[] payload) throws IOException {
        ByteBuffer frame = ByteBuffer.allocate(4 + payload.length);
        frame.putInt(payload.length).put(payload);
        sendRaw(frame.array());
    }

    /** Reads one bare size-prefixed frame and returns its payload. */
    byte[] receiveBare() throws IOException {
        byte[] payload = new byte[in.readInt()];
        in.readFully(payload);
        return payload;
    }

    /** True if the broker closed the connection (end of stream) within the socket timeout. */
    boolean closedByPeer() throws IOException {
        try {
            int b = in.read();
            if (b < 0) {
                return true;
            }
            throw new IllegalStateException("expected the connection to close, but read byte " + b);
        } catch (EOFException e) {
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            // A reset also means the peer closed the connection.
            return e.getMessage() != null && e.getMessage().contains("reset");
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
