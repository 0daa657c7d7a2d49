package io.skiff.compat;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code listener.name.L.max.connections}: a listener at its own limit stops accepting until one
 * of its connections closes, while the broker's other listeners keep accepting and serving.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ListenerConnectionLimitsCompatTest {
    @RegisterExtension
    static final SkiffBrokerExtension BROKER = new SkiffBrokerExtension()
            .with("listeners", "PLAINTEXT://127.0.0.1:0,INTERNAL://127.0.0.1:0")
            .with("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,INTERNAL:PLAINTEXT")
            .with("listener.name.internal.max.connections", "2");

    private final List<Socket> sockets = new ArrayList<>();

    @AfterEach
    void closeAll() throws IOException {
        for (Socket s : sockets) {
            s.close();
        }
    }

    private Socket connect(String listener) throws IOException {
        Socket s = new Socket();
        sockets.add(s);
        s.connect(new InetSocketAddress("127.0.0.1", BROKER.broker().boundPort(listener)), 5_000);
        return s;
    }

    @Test
    void aListenerAtItsOwnLimitWaitsWhileTheOtherListenersKeepAccepting() throws Exception {
        Socket first = connect("INTERNAL");
        Socket second = connect("INTERNAL");
        assertThat(ConnectionLimitsCompatTest.served(first, 10_000)).isTrue();
        assertThat(ConnectionLimitsCompatTest.served(second, 10_000)).isTrue();
        Socket waiting = connect("INTERNAL");
        assertThat(ConnectionLimitsCompatTest.served(waiting, 1_000))
                .as("the third connection to INTERNAL is not accepted yet")
                .isFalse();
        for (int i = 0; i < 5; i++) {
            assertThat(ConnectionLimitsCompatTest.served(connect("PLAINTEXT"), 10_000))
                    .as("PLAINTEXT connection " + (i + 1))
                    .isTrue();
        }
        assertThat(ConnectionLimitsCompatTest.served(first, 10_000))
                .as("INTERNAL's open connections are served")
                .isTrue();
        second.close();
        assertThat(ConnectionLimitsCompatTest.served(waiting, 10_000))
                .as("accepted once one of INTERNAL's connections closed")
                .isTrue();
    }
}
