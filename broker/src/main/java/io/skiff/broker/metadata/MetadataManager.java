package io.skiff.broker.metadata;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the metadata log and the current {@link MetadataImage}. Every change runs on one
 * thread ("skiff-metadata"): an operation looks at the current image and decides which
 * records to write; the records are appended and fsynced, applied to a new image, the image
 * is published, listeners run (creating and deleting partition logs), and only then does the
 * operation's future complete. Readers use {@link #image()} from any thread.
 */
public final class MetadataManager implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MetadataManager.class);

    /** What an operation decided: the records to write and the value to return. */
    public record Decision<T>(List<MetadataRecord> records, T value) {
        public static <T> Decision<T> of(T value, MetadataRecord... records) {
            return new Decision<>(List.of(records), value);
        }
    }

    /** Reacts to published changes, on the metadata thread. */
    public interface Listener {
        /** Called once at start-up with the image replayed from the log. */
        void onLoad(MetadataImage image);

        void onChange(MetadataImage previous, MetadataImage next, List<MetadataRecord> records);
    }

    private final MetadataLog log;
    private final ExecutorService thread;
    private final List<Listener> listeners = new ArrayList<>();
    private volatile MetadataImage image;

    private MetadataManager(MetadataLog log, MetadataImage image) {
        this.log = log;
        this.image = image;
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "skiff-metadata");
            t.setDaemon(true);
            return t;
        });
    }

    /** Opens the metadata log in {@code dir} and replays it. */
    public static MetadataManager open(Path dir) throws IOException {
        List<MetadataRecord> records = new ArrayList<>();
        MetadataLog log = MetadataLog.open(dir, records);
        MetadataImage img = MetadataImage.EMPTY;
        for (MetadataRecord r : records) {
            img = img.apply(r);
        }
        LOG.info(
                "Loaded {} metadata records: {} topics",
                records.size(),
                img.topics().size());
        return new MetadataManager(log, img);
    }

    /** The number of intact records in the metadata log in {@code dir}, 0 when there is none. Reads only. */
    public static long recordCount(Path dir) throws IOException {
        return MetadataLog.recordCount(dir);
    }

    /**
     * Creates the metadata log in {@code dir} with {@code records} as its first records, all or
     * nothing, before {@link #open}: how metadata imported from elsewhere (an Apache Kafka
     * cluster's KRaft log) becomes Skiff's. The log must be absent or hold no intact record.
     */
    public static void initialize(Path dir, List<MetadataRecord> records) throws IOException {
        MetadataLog.create(dir, records);
    }

    public MetadataImage image() {
        return image;
    }

    /** Adds a listener and gives it the current image; call before serving requests. */
    public void addListener(Listener listener) {
        submitTask(() -> {
                    listeners.add(listener);
                    listener.onLoad(image);
                    return null;
                })
                .join();
    }

    /** Runs {@code op} on the metadata thread; see the class comment. */
    public <T> CompletableFuture<T> write(Function<MetadataImage, Decision<T>> op) {
        return submitTask(() -> {
            Decision<T> d = op.apply(image);
            if (!d.records().isEmpty()) {
                try {
                    log.append(d.records());
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot write the metadata log", e);
                }
                MetadataImage previous = image;
                MetadataImage next = previous;
                for (MetadataRecord r : d.records()) {
                    next = next.apply(r);
                }
                image = next;
                for (Listener l : listeners) {
                    try {
                        l.onChange(previous, next, d.records());
                    } catch (RuntimeException e) {
                        LOG.error("Metadata listener failed on {}", d.records(), e);
                    }
                }
            }
            return d.value();
        });
    }

    private <T> CompletableFuture<T> submitTask(Callable<T> task) {
        CompletableFuture<T> f = new CompletableFuture<>();
        thread.execute(() -> {
            try {
                f.complete(task.call());
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        return f;
    }

    @Override
    public void close() {
        thread.shutdown();
        try {
            thread.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            log.close();
        } catch (IOException e) {
            LOG.warn("Closing the metadata log failed", e);
        }
    }
}
