package io.skiff.compat;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image's HEALTHCHECK, {@code docker/healthcheck.sh}, run by bash outside any image against a
 * real broker: healthy when the first client listener of the configuration answers ApiVersions
 * (the controller listener is passed over), unhealthy when the port is closed or something other
 * than a Kafka broker answers on it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DockerHealthcheckCompatTest {
    private static final Path HEALTHCHECK = DockerEntrypointCompatTest.REPO.resolve("docker/healthcheck.sh");

    @RegisterExtension
    static final SkiffBrokerExtension BROKER = new SkiffBrokerExtension();

    @TempDir
    Path dir;

    record Result(int exitCode, String output) {}

    private Result check(String properties) throws Exception {
        Files.writeString(dir.resolve("server.properties"), properties);
        ProcessBuilder pb = new ProcessBuilder("bash", HEALTHCHECK.toString()).redirectErrorStream(true);
        pb.environment().put("SKIFF_CONFIG_DIR", dir.toString());
        pb.environment().put("SKIFF_HEALTHCHECK_TIMEOUT_S", "2");
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), output);
    }

    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void healthyWhenTheFirstClientListenerAnswersApiVersions() throws Exception {
        Result r = check("listeners=CONTROLLER://127.0.0.1:" + closedPort() + ",PLAINTEXT://127.0.0.1:" + BROKER.port()
                + "\ncontroller.listener.names=CONTROLLER\n");
        assertThat(r.exitCode()).as(r.output()).isZero();
    }

    @Test
    void aWildcardListenerIsProbedOnLoopbackAndTheLastValueOfAKeyCounts() throws Exception {
        Result r = check("listeners=PLAINTEXT://127.0.0.1:" + closedPort() + "\nlisteners=EXTERNAL://0.0.0.0:"
                + BROKER.port() + "\nlistener.security.protocol.map=EXTERNAL:PLAINTEXT\n");
        assertThat(r.exitCode()).as(r.output()).isZero();
    }

    @Test
    void unhealthyWhenNothingListens() throws Exception {
        Result r = check("listeners=PLAINTEXT://127.0.0.1:" + closedPort() + "\n");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.output()).contains("cannot connect");
    }

    @Test
    void unhealthyWhenSomethingElseThanKafkaAnswers() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread t = new Thread(() -> {
                try (Socket s = server.accept();
                        OutputStream out = s.getOutputStream()) {
                    out.write("HTTP/1.1 400 Bad Request\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    s.getInputStream().readNBytes(14);
                } catch (IOException ignored) {
                    // the probe has gone
                }
            });
            t.start();
            Result r = check("listeners=PLAINTEXT://127.0.0.1:" + server.getLocalPort() + "\n");
            assertThat(r.exitCode()).as(r.output()).isEqualTo(1);
            assertThat(r.output()).contains("no ApiVersions answer");
            t.join(10_000);
        }
    }

    @Test
    void unhealthyNotKilledWhenThePeerResetsTheConnection() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread t = new Thread(() -> {
                try (Socket s = server.accept()) {
                    s.setSoLinger(true, 0);
                } catch (IOException ignored) {
                    // the probe has gone
                }
            });
            t.start();
            Result r = check("listeners=PLAINTEXT://127.0.0.1:" + server.getLocalPort() + "\n");
            assertThat(r.exitCode()).as(r.output()).isEqualTo(1);
            assertThat(r.output()).contains("no ApiVersions answer");
            t.join(10_000);
        }
    }
}
