package io.skiff.compat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * An Apache Kafka Connect 4.3.1 worker in distributed mode ({@code ConnectDistributed}) in a child JVM
 * with this test's classpath (connect-runtime and connect-file are test dependencies), its REST API on a
 * loopback port, and a small JSON client for that API (java.net.http). The worker's output goes to
 * {@code connect.out} in its directory (Connect's own classes at INFO). The REST port stays the same
 * across restarts. Not thread-safe.
 */
final class ConnectWorkerProcess implements AutoCloseable {
    /** A REST answer: the status code and the parsed body (null when empty or not JSON). */
    record Reply(int status, JsonNode body, String text) {
        boolean ok() {
            return status >= 200 && status < 300;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;
    private final int restPort;
    private final Map<String, String> props = new LinkedHashMap<>();
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private Process process;

    /** A worker of group {@code groupId} against {@code bootstrap}, its files in {@code dir}. */
    ConnectWorkerProcess(Path dir, String bootstrap, String groupId) throws IOException {
        this.dir = Files.createDirectories(dir);
        this.restPort = freePort();
        props.put("bootstrap.servers", bootstrap);
        props.put("group.id", groupId);
        props.put("listeners", "http://127.0.0.1:" + restPort);
        props.put("rest.advertised.host.name", "127.0.0.1");
        props.put("rest.advertised.port", Integer.toString(restPort));
        props.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
        props.put("value.converter", "org.apache.kafka.connect.storage.StringConverter");
        props.put("plugin.discovery", "service_load");
        // a worker that comes back finds its connectors and tasks at once, not after a scheduled delay
        props.put("scheduled.rebalance.max.delay.ms", "0");
    }

    /** Sets a worker property (before {@link #start}). */
    ConnectWorkerProcess with(String key, String value) {
        props.put(key, value);
        return this;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    Path outputFile() {
        return dir.resolve("connect.out");
    }

    /** Starts the worker and waits until its REST API answers {@code GET /connectors} with 200. */
    void start() throws Exception {
        Path worker = dir.resolve("worker.properties");
        StringBuilder text = new StringBuilder();
        props.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
        Files.writeString(worker, text);
        Path logback = dir.resolve("connect-logback.xml");
        Files.writeString(
                logback,
                "<configuration><appender name=\"out\" class=\"ch.qos.logback.core.ConsoleAppender\"><encoder>"
                        + "<pattern>[%d] %p %m \\(%c\\) [%t]%n</pattern></encoder></appender>"
                        + "<logger name=\"org.apache.kafka.connect\" level=\"INFO\"/>"
                        + "<logger name=\"org.reflections\" level=\"ERROR\"/>"
                        + "<root level=\"WARN\"><appender-ref ref=\"out\"/></root></configuration>\n");
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx256m");
        cmd.add("-Dlogback.configurationFile=" + logback);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("org.apache.kafka.connect.cli.ConnectDistributed");
        cmd.add(worker.toString());
        process = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(outputFile().toFile()))
                .start();
        process.getOutputStream().close();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(
                        "Connect worker exited with " + process.exitValue() + "; see " + outputFile());
            }
            try {
                if (get("/connectors").ok()) {
                    return;
                }
            } catch (IOException notYet) {
                // the REST server is not listening yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("Connect worker's REST API did not answer within 60 s; see " + outputFile());
    }

    Reply get(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri(path)).GET());
    }

    Reply post(String path, Object body) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri(path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))));
    }

    Reply put(String path, Object body) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri(path))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))));
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + restPort + path);
    }

    private Reply send(HttpRequest.Builder request) throws IOException, InterruptedException {
        HttpResponse<String> r =
                http.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        JsonNode body = null;
        if (!r.body().isEmpty()) {
            try {
                body = JSON.readTree(r.body());
            } catch (IOException notJson) {
                body = null;
            }
        }
        return new Reply(r.statusCode(), body, r.body());
    }

    /** SIGTERM, then waits for the worker to stop its connectors and tasks and exit (SIGKILL after 60 s). */
    int stop() throws InterruptedException {
        if (process == null) {
            return 0;
        }
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            stop();
        }
    }
}
