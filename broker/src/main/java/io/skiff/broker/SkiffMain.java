package io.skiff.broker;

import io.skiff.broker.config.BrokerConfig;
import io.skiff.broker.config.ConfigException;
import io.skiff.broker.config.ConfigLoader;
import io.skiff.broker.metadata.kraft.KraftMigration;
import io.skiff.wire.protocol.Uuid;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code skiff-server [server.properties] [--override key=value ...]}: starts one broker and
 * runs until SIGTERM or SIGINT, then shuts down cleanly. Exits with status 1 when the
 * configuration is invalid, asks for what Skiff cannot honour (see {@code ConfigPolicy}), the
 * log directories belong to another node or cluster, or start-up fails; the reason is logged
 * as one ERROR line ("Cannot start: ...") on standard output.
 * {@code skiff-server format --cluster-id <id> [server.properties]} writes the cluster id into the
 * directories as {@code kafka-storage.sh format} does; {@code skiff-server random-uuid} prints a new id.
 * With {@code --check-migration} it starts nothing: it prints what Skiff would import from an
 * Apache Kafka log directory at its next start and what it would not, changes nothing, and exits
 * with 0 (Skiff would start) or 1 (it would refuse).
 */
public final class SkiffMain {
    private static final Logger LOG = LoggerFactory.getLogger(SkiffMain.class);

    private SkiffMain() {}

    static final String CHECK_MIGRATION = "--check-migration";
    static final String FORMAT = "format";
    static final String RANDOM_UUID = "random-uuid";

    public static void main(String[] args) {
        List<String> rest = new ArrayList<>(Arrays.asList(args));
        if (!rest.isEmpty() && rest.get(0).equals(RANDOM_UUID)) {
            System.out.println(Uuid.random());
            return;
        }
        if (!rest.isEmpty() && rest.get(0).equals(FORMAT)) {
            System.exit(format(rest.subList(1, rest.size())));
            return;
        }
        boolean checkMigration = rest.remove(CHECK_MIGRATION);
        SkiffBroker broker;
        try {
            ConfigLoader.Loaded loaded = ConfigLoader.load(rest.toArray(new String[0]), System.getenv());
            if (loaded.file != null) {
                LOG.info("Reading configuration from {}", loaded.file);
            }
            BrokerConfig config = new BrokerConfig(loaded.properties);
            if (checkMigration) {
                System.exit(KraftMigration.check(config, System.out));
                return;
            }
            broker = new SkiffBroker(config);
        } catch (ConfigException e) {
            LOG.error("Cannot start: {}", e.getMessage());
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(broker::shutdown, "skiff-shutdown"));
        try {
            broker.start();
        } catch (ConfigException e) {
            // A refusal found on disk (meta.properties): the message says what to do; no stack trace.
            LOG.error("Cannot start: {}", e.getMessage());
            broker.shutdown();
            System.exit(1);
            return;
        } catch (Exception | ExceptionInInitializerError e) {
            LOG.error("Cannot start: {}", e.getMessage(), e);
            broker.shutdown();
            System.exit(1);
            return;
        }
        // Apache Kafka's broker logs this line once it serves clients; tools that start a broker and
        // wait for it (Testcontainers' KafkaContainer, scripts grepping the log) wait for these words.
        LOG.info("Node {} serves clients. Transitioning from RECOVERY to RUNNING.", broker.nodeId());
        try {
            broker.awaitShutdown();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * {@code format --cluster-id <id> [server.properties] [--override k=v ...]} ({@code -t} for short):
     * writes meta.properties with the cluster id into the log directories and the metadata directory,
     * as {@code kafka-storage.sh format} does. Returns the exit status.
     */
    static int format(List<String> args) {
        List<String> rest = new ArrayList<>(args);
        String clusterId = null;
        for (int i = 0; i < rest.size(); i++) {
            if ((rest.get(i).equals("--cluster-id") || rest.get(i).equals("-t")) && i + 1 < rest.size()) {
                clusterId = rest.get(i + 1);
                rest.remove(i + 1);
                rest.remove(i);
                break;
            }
        }
        try {
            ConfigLoader.Loaded loaded = ConfigLoader.load(rest.toArray(new String[0]), System.getenv());
            BrokerConfig config = new BrokerConfig(loaded.properties);
            List<Path> dirs = SkiffBroker.metadataAndLogDirs(config);
            int n = MetaProperties.format(dirs, config.nodeId(), clusterId);
            System.out.println("Formatted " + n + " of " + dirs.size() + " directories " + dirs + " for cluster "
                    + clusterId.trim() + ", node " + config.nodeId());
            return 0;
        } catch (ConfigException e) {
            System.out.println("Cannot format: " + e.getMessage());
            return 1;
        } catch (IOException e) {
            System.out.println("Cannot format: " + e);
            return 1;
        }
    }
}
