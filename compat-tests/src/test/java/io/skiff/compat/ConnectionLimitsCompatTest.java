package io.skiff.compat;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.quota.ClientQuotaAlteration;
import org.apache.kafka.common.quota.ClientQuotaEntity;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Connection limits as Apache Kafka applies them: {@code max.connections.per.ip} (with an
 * override) closes a connection beyond its IP's limit at once, {@code max.connections} makes the
 * listener stop accepting until a connection closes, and an IP's {@code connection_creation_rate}
 * quota closes the connections over its rate; the connections already open keep being served.
 * Clients come from different loopback addresses (127.0.0.x) to be told apart.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ConnectionLimitsCompatTest {
    @RegisterExtension
    static final SkiffBrokerExtension BROKER = new SkiffBrokerExtension()
            .with("max.connections", "6")
            .with("max.connections.per.ip", "4")
            .with("max.connections.per.ip.overrides", "127.0.0.2:2");

    private final List<Socket> sockets = new ArrayList<>();

    @AfterEach
    void closeAll() throws IOException {
        for (Socket s : sockets) {
            s.close();
        }
    }

    private Socket connect(String from) throws IOException {
        Socket s = new Socket();
        sockets.add(s);
        s.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
        s.connect(new InetSocketAddress("127.0.0.1", BROKER.port()), 5_000);
        return s;
    }

    /** Sends ApiVersions v0 and answers whether a response arrived within {@code timeoutMs}; false when closed. */
    static boolean served(Socket s, int timeoutMs) throws IOException {
        s.setSoTimeout(timeoutMs);
        byte[] clientId = "limits".getBytes(StandardCharsets.UTF_8);
        DataOutputStream out = new DataOutputStream(s.getOutputStream());
        try {
            out.writeInt(2 + 2 + 4 + 2 + clientId.length);
            out.writeShort(18); // ApiVersions
            out.writeShort(0);
            out.writeInt(7);
            out.writeShort(clientId.length);
            out.write(clientId);
            out.flush();
            DataInputStream in = new DataInputStream(s.getInputStream());
            int size = in.readInt();
            byte[] body = new byte[size];
            in.readFully(body);
            return true;
        } catch (EOFException | SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            if (e.getMessage() != null
                    && (e.getMessage().contains("reset") || e.getMessage().contains("Broken pipe"))) {
                return false;
            }
            throw e;
        }
    }

    /** Whether the broker closed {@code s} (end of stream) within {@code timeoutMs}. */
    static boolean closedByBroker(Socket s, int timeoutMs) throws IOException {
        s.setSoTimeout(timeoutMs);
        try {
            return s.getInputStream().read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return e.getMessage() != null && e.getMessage().contains("reset");
        }
    }

    @Test
    void aConnectionBeyondItsIpsLimitIsClosedAndTheOthersAreServed() throws Exception {
        Socket first = connect("127.0.0.2");
        Socket second = connect("127.0.0.2");
        assertThat(served(first, 10_000)).isTrue();
        assertThat(served(second, 10_000)).isTrue();
        Socket third = connect("127.0.0.2");
        assertThat(closedByBroker(third, 10_000)).as("beyond the override of 2").isTrue();
        assertThat(served(first, 10_000)).as("the first keeps being served").isTrue();
        Socket other = connect("127.0.0.3");
        assertThat(served(other, 10_000)).as("another IP has its own count").isTrue();
    }

    /** Waits until the broker has seen every earlier connection close. */
    private static void awaitNoConnections() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (BROKER.broker().connectionQuotas().connections() > 0) {
            assertThat(System.nanoTime()).as("connections still open").isLessThan(deadline);
            Thread.onSpinWait();
        }
    }

    @Test
    void atMaxConnectionsTheListenerWaitsUntilAConnectionCloses() throws Exception {
        awaitNoConnections();
        List<Socket> open = new ArrayList<>();
        for (String ip : List.of("127.0.0.4", "127.0.0.5")) {
            for (int i = 0; i < 3; i++) {
                Socket s = connect(ip);
                assertThat(served(s, 10_000)).isTrue();
                open.add(s);
            }
        }
        Socket waiting = connect("127.0.0.6");
        assertThat(served(waiting, 1_000))
                .as("the seventh connection is not accepted yet")
                .isFalse();
        assertThat(served(open.get(0), 10_000)).as("the others are served").isTrue();
        open.get(5).close();
        assertThat(served(waiting, 10_000)).as("accepted once one closed").isTrue();
    }

    @Test
    void anIpOverItsConnectionCreationRateIsClosed() throws Exception {
        ClientQuotaEntity ip = new ClientQuotaEntity(Map.of(ClientQuotaEntity.IP, "127.0.0.7"));
        try (Admin admin = Clients.admin(BROKER)) {
            admin.alterClientQuotas(List.of(new ClientQuotaAlteration(
                            ip, List.of(new ClientQuotaAlteration.Op("connection_creation_rate", 1.0)))))
                    .all()
                    .get(30, TimeUnit.SECONDS);
        }
        // 1 per second over the first window's 10 s (Kafka's minimum span) allows ten new connections.
        for (int i = 0; i < 10; i++) {
            try (Socket s = connect("127.0.0.7")) {
                assertThat(served(s, 10_000)).as("connection " + (i + 1)).isTrue();
            }
        }
        Socket keep = connect("127.0.0.8");
        assertThat(served(keep, 10_000)).isTrue();
        Socket over = connect("127.0.0.7");
        assertThat(closedByBroker(over, 10_000))
                .as("over the rate: closed after the throttle time")
                .isTrue();
        assertThat(served(keep, 10_000)).as("others keep being served").isTrue();
        try (Admin admin = Clients.admin(BROKER)) {
            admin.alterClientQuotas(List.of(new ClientQuotaAlteration(
                            ip, List.of(new ClientQuotaAlteration.Op("connection_creation_rate", null)))))
                    .all()
                    .get(30, TimeUnit.SECONDS);
        }
    }
}
