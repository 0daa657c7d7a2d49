package io.skiff.broker.network;

import static org.assertj.core.api.Assertions.assertThat;

import io.skiff.broker.config.BrokerConfig;
import io.skiff.wire.message.ApiVersionsRequest;
import io.skiff.wire.protocol.ApiKeys;
import java.io.DataInputStream;
import java.net.Socket;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Over a real socket: each connection gets a session of its listener, and the server's metrics count its requests. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SkiffServerTest {
    @Test
    void aConnectionsSessionNamesItsListenerAndRemoteAddressAndItsRequestsAreCounted() throws Exception {
        CopyOnWriteArrayList<Session> sessions = new CopyOnWriteArrayList<>();
        StubHandler handler = new StubHandler(ApiKeys.API_VERSIONS, 0, 4, rc -> {
            sessions.add(rc.session());
            return rc.api.newResponse();
        });
        SkiffServer server = new SkiffServer(
                new BrokerConfig(Map.of("listeners", "PLAINTEXT://127.0.0.1:0")),
                new ApiDispatcher(false).register(handler));
        server.start();
        try (Socket socket = new Socket("127.0.0.1", server.boundPort("PLAINTEXT"))) {
            byte[] request = Pipeline.request(ApiKeys.API_VERSIONS, 2, 1, "server-test", new ApiVersionsRequest());
            socket.getOutputStream().write(request);
            DataInputStream in = new DataInputStream(socket.getInputStream());
            byte[] response = new byte[in.readInt()];
            in.readFully(response);

            assertThat(sessions).hasSize(1);
            Session session = sessions.get(0);
            assertThat(session.listenerName()).isEqualTo("PLAINTEXT");
            assertThat(session.securityProtocol()).isEqualTo(SecurityProtocol.PLAINTEXT);
            assertThat(session.authState()).isEqualTo(AuthState.AUTHENTICATED);
            assertThat(session.remoteAddress().getPort()).isEqualTo(socket.getLocalPort());
            assertThat(session.clientId()).isEqualTo("server-test");

            // Recorded on the event loop right after the write: wait for it (the class timeout bounds the wait).
            RequestMetrics.Snapshot s = server.requestMetrics().snapshot(ApiKeys.API_VERSIONS);
            while (s.requests() == 0) {
                Thread.onSpinWait();
                s = server.requestMetrics().snapshot(ApiKeys.API_VERSIONS);
            }
            assertThat(s.requests()).isEqualTo(1);
            assertThat(s.requestBytes()).isEqualTo(request.length - 4);
            assertThat(s.responseBytes()).isEqualTo(response.length);
        } finally {
            server.shutdown();
        }
    }
}
