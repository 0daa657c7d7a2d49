package io.skiff.broker.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.skiff.broker.config.BrokerConfig;
import io.skiff.broker.metadata.MetadataImage;
import io.skiff.broker.metadata.MetadataManager;
import io.skiff.broker.metadata.MetadataRecord;
import io.skiff.wire.protocol.Uuid;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Three metadata managers over one Ratis group in this JVM, on loopback ports. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RatisQuorumTest {
    private static final String CLUSTER = Uuid.random().toString();

    @TempDir
    Path dir;

    private final List<MetadataManager> managers = new ArrayList<>();
    private int[] ports;

    @AfterEach
    void close() {
        for (MetadataManager m : managers) {
            if (m != null) {
                m.close();
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private BrokerConfig config(int node) {
        StringBuilder voters = new StringBuilder();
        for (int i = 0; i < ports.length; i++) {
            voters.append(i == 0 ? "" : ",").append(i + 1).append("@127.0.0.1:").append(ports[i]);
        }
        Map<String, String> p = new HashMap<>();
        p.put("node.id", Integer.toString(node));
        p.put("process.roles", "broker,controller");
        p.put("listeners", "PLAINTEXT://127.0.0.1:0,CONTROLLER://127.0.0.1:" + ports[node - 1]);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("controller.quorum.voters", voters.toString());
        p.put("log.dirs", dir.resolve("node-" + node).toString());
        return new BrokerConfig(p);
    }

    private CompletableFuture<MetadataManager> open(int node, long snapshotEvery) {
        BrokerConfig c = config(node);
        return CompletableFuture.supplyAsync(() -> {
            try {
                Files.createDirectories(c.quorum().metadataDir());
                return MetadataManager.open(new RatisQuorum(c.quorum(), CLUSTER, snapshotEvery), node);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private void startAll(long snapshotEvery) {
        List<CompletableFuture<MetadataManager>> opening = new ArrayList<>();
        for (int n = 1; n <= ports.length; n++) {
            opening.add(open(n, snapshotEvery));
        }
        for (CompletableFuture<MetadataManager> f : opening) {
            managers.add(f.join());
        }
    }

    /** Creates {@code name} unless the image has it; answers whether this call created it. */
    private static CompletableFuture<Boolean> create(MetadataManager m, String name) {
        return m.write(image -> image.topic(name) != null
                ? MetadataManager.Decision.of(false)
                : MetadataManager.Decision.of(
                        true, new MetadataRecord.TopicCreated(Uuid.random(), name, 1, (short) 1)));
    }

    private static void await(MetadataManager m, Predicate<MetadataImage> condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.test(m.image())) {
            assertThat(System.nanoTime()).as("condition within 30 s").isLessThan(deadline);
            Thread.onSpinWait();
        }
    }

    @Test
    void aChangeWrittenOnOneNodeIsAppliedOnEveryNodeAndConcurrentDecisionsOnTheSameStateDoNotBothApply()
            throws Exception {
        ports = new int[] {freePort(), freePort(), freePort()};
        startAll(1000);
        assertThat(create(managers.get(0), "from-1").get(30, TimeUnit.SECONDS)).isTrue();
        // Read-your-writes on the writer; the others apply it soon after.
        assertThat(managers.get(0).image().topic("from-1")).isNotNull();
        for (MetadataManager m : managers) {
            await(m, img -> img.topic("from-1") != null);
        }
        // Every node tries to create the same topics at once: each is created exactly once.
        List<CompletableFuture<Boolean>> writes = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            for (MetadataManager m : managers) {
                writes.add(create(m, "race-" + i));
            }
        }
        int created = 0;
        for (CompletableFuture<Boolean> w : writes) {
            created += w.get(60, TimeUnit.SECONDS) ? 1 : 0;
        }
        assertThat(created).isEqualTo(10);
        for (MetadataManager m : managers) {
            await(m, img -> img.topics().size() == 11);
        }
        MetadataImage first = managers.get(0).image();
        for (MetadataManager m : managers) {
            assertThat(m.image().topic("race-3").id())
                    .isEqualTo(first.topic("race-3").id());
        }
    }

    @Test
    void aRestartedQuorumLoadsItsSnapshotAndTheTail() throws Exception {
        ports = new int[] {freePort(), freePort(), freePort()};
        startAll(5);
        for (int i = 0; i < 12; i++) {
            assertThat(create(managers.get(i % 3), "t-" + i).get(30, TimeUnit.SECONDS))
                    .isTrue();
        }
        Uuid id = managers.get(0).image().topic("t-7").id();
        for (MetadataManager m : managers) {
            m.close();
        }
        managers.clear();
        try (Stream<Path> files = Files.walk(dir.resolve("node-1"))) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .anyMatch(n -> n.startsWith("snapshot.") && !n.endsWith(".md5"));
        }
        startAll(5);
        for (MetadataManager m : managers) {
            await(m, img -> img.topics().size() == 12);
            assertThat(m.image().topic("t-7").id()).isEqualTo(id);
        }
        assertThat(create(managers.get(2), "after-restart").get(30, TimeUnit.SECONDS))
                .isTrue();
    }
}
