package io.skiff.broker;

import io.skiff.broker.config.BrokerConfig;
import io.skiff.broker.config.ConfigException;
import io.skiff.broker.config.ConfigLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code skiff-server [server.properties] [--override key=value ...]}: starts one broker and
 * runs until SIGTERM or SIGINT, then shuts down cleanly. Exits with status 1 when the
 * configuration is invalid, asks for what Skiff cannot honour (see {@code ConfigPolicy}), the
 * log directories belong to another node or cluster, or start-up fails; the reason is logged
 * as one ERROR line ("Cannot start: ...") on standard output.
 */
public final class SkiffMain {
    private static final Logger LOG = LoggerFactory.getLogger(SkiffMain.class);

    private SkiffMain() {
    }

    public static void main(String[] args) {
        SkiffBroker broker;
        try {
            ConfigLoader.Loaded loaded = ConfigLoader.load(args, System.getenv());
            if (loaded.file != null) {
                LOG.info("Reading configuration from {}", loaded.file);
            }
            broker = new SkiffBroker(new BrokerConfig(loaded.properties));
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
        try {
            broker.awaitShutdown();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
