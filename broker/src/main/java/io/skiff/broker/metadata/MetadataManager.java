package io.skiff.broker.metadata;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the current {@link MetadataImage} and the {@link MetadataQuorum} that orders its changes.
 * Every change runs on one thread ("skiff-metadata"): an operation looks at the current image and
 * decides which records to write; the records go to the quorum, are applied to a new image, the
 * image is published, listeners run (creating and deleting partition logs), and only then does the
 * operation's future complete. With the {@link LocalQuorum} the records are appended and fsynced
 * in place, so nothing can come between a decision and its append. With a replicated quorum the
 * decision is optimistic: the entry carries the index of the last change it was decided on, every
 * node applies committed entries in log order and rejects, alike, one decided on an older state;
 * the writer then decides again on its newer image. The future completes once this node applied
 * the entry (read-your-writes). Readers use {@link #image()} from any thread.
 */
public final class MetadataManager implements AutoCloseable, MetadataQuorum.Committer {
    private static final Logger LOG = LoggerFactory.getLogger(MetadataManager.class);
    /** Decisions retried this often at most when other nodes' entries keep coming first. */
    private static final int MAX_ATTEMPTS = 100;

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

    private final MetadataQuorum quorum;
    private final int nodeId;
    private final ExecutorService thread;
    private volatile Thread metadataThread;
    private final List<Listener> listeners = new ArrayList<>();
    /** Writers waiting for their entry to be applied here, by request id; metadata thread only. */
    private final Map<Long, CompletableFuture<Boolean>> pending = new HashMap<>();

    private volatile MetadataImage image = MetadataImage.EMPTY;
    /** Index of the last entry that changed the image; metadata thread only. */
    private long lastChange;
    /** Index of the last entry applied; metadata thread only. */
    private long applied;

    private MetadataManager(MetadataQuorum quorum, int nodeId) {
        this.quorum = quorum;
        this.nodeId = nodeId;
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "skiff-metadata");
            t.setDaemon(true);
            metadataThread = t;
            return t;
        });
    }

    /** Opens the metadata log in {@code dir} (a single node's {@link LocalQuorum}) and replays it. */
    public static MetadataManager open(Path dir) throws IOException {
        try {
            return open(new LocalQuorum(dir, -1), -1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while opening the metadata log", e);
        }
    }

    /** Opens {@code quorum} for node {@code nodeId}; returns once this node has caught up with it. */
    public static MetadataManager open(MetadataQuorum quorum, int nodeId) throws IOException, InterruptedException {
        MetadataManager m = new MetadataManager(quorum, nodeId);
        try {
            quorum.open(m);
        } catch (IOException | InterruptedException | RuntimeException e) {
            m.close();
            throw e;
        }
        return m;
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

    /** The quorum as its leader sees it (for DescribeQuorum). */
    public CompletableFuture<QuorumStatus> describeQuorum() {
        return quorum.describe();
    }

    /** The quorum's state as this node sees it. */
    public QuorumStatus quorumStatus() {
        return quorum.status();
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
        CompletableFuture<T> f = new CompletableFuture<>();
        thread.execute(() -> attempt(op, f, 1));
        return f;
    }

    /**
     * Decides on the current image and writes; on the metadata thread. Whatever goes wrong completes {@code f}
     * exceptionally, so that the request waiting on it is answered rather than left pending.
     */
    private <T> void attempt(Function<MetadataImage, Decision<T>> op, CompletableFuture<T> f, int attempt) {
        try {
            decideAndWrite(op, f, attempt);
        } catch (Throwable t) {
            LOG.error("A metadata change failed", t);
            f.completeExceptionally(t);
        }
    }

    private <T> void decideAndWrite(Function<MetadataImage, Decision<T>> op, CompletableFuture<T> f, int attempt) {
        Decision<T> d;
        try {
            d = op.apply(image);
        } catch (Throwable t) {
            f.completeExceptionally(t);
            return;
        }
        if (d.records().isEmpty()) {
            f.complete(d.value());
            return;
        }
        if (quorum.committedOnAppend()) {
            CompletableFuture<Void> appended =
                    quorum.append(new MetadataQuorum.Entry(lastChange, nodeId, 0, d.records()));
            if (appended.isCompletedExceptionally()) {
                appended.exceptionally(e -> {
                    f.completeExceptionally(new UncheckedIOException(
                            "cannot write the metadata log", e instanceof IOException io ? io : new IOException(e)));
                    return null;
                });
                return;
            }
            applied++;
            publish(applied, d.records());
            f.complete(d.value());
            return;
        }
        long requestId = ThreadLocalRandom.current().nextLong();
        CompletableFuture<Boolean> outcome = new CompletableFuture<>();
        pending.put(requestId, outcome);
        quorum.append(new MetadataQuorum.Entry(lastChange, nodeId, requestId, d.records()))
                .whenComplete((ok, e) -> {
                    if (e != null) {
                        thread.execute(() -> pending.remove(requestId));
                        f.completeExceptionally(e);
                    }
                });
        outcome.thenAccept(accepted -> {
            if (accepted) {
                f.complete(d.value());
            } else if (attempt >= MAX_ATTEMPTS) {
                f.completeExceptionally(new IllegalStateException(
                        "metadata change not applied after " + attempt + " attempts: other changes kept coming first"));
            } else {
                attempt(op, f, attempt + 1);
            }
        });
    }

    /** Applies {@code records} as the change at {@code index} and runs the listeners; on the metadata thread. */
    private void publish(long index, List<MetadataRecord> records) {
        MetadataImage previous = image;
        MetadataImage next = previous;
        for (MetadataRecord r : records) {
            next = next.apply(r);
        }
        image = next;
        lastChange = index;
        for (Listener l : listeners) {
            try {
                l.onChange(previous, next, records);
            } catch (RuntimeException e) {
                LOG.error("Metadata listener failed on {}", records, e);
            }
        }
    }

    @Override
    public void load(MetadataQuorum.State state) {
        runOnThread(() -> {
            MetadataImage previous = image;
            image = state.image();
            lastChange = state.lastChange();
            applied = state.applied();
            List<MetadataRecord> changes = listeners.isEmpty() ? List.of() : image.changesFrom(previous);
            for (Listener l : listeners) {
                try {
                    l.onChange(previous, image, changes);
                } catch (RuntimeException e) {
                    LOG.error("Metadata listener failed on a snapshot", e);
                }
            }
            return null;
        });
    }

    @Override
    public CompletableFuture<Boolean> apply(long index, MetadataQuorum.Entry entry) {
        CompletableFuture<Boolean> done = new CompletableFuture<>();
        if (thread.isShutdown()) {
            done.completeExceptionally(new IllegalStateException("the metadata manager is closed"));
            return done;
        }
        thread.execute(() -> {
            boolean accepted = false;
            if (index > applied) {
                applied = index;
                accepted = entry.basedOn() == lastChange && valid(entry.records());
                if (accepted) {
                    publish(index, entry.records());
                }
            }
            CompletableFuture<Boolean> waiting = entry.origin() == nodeId ? pending.remove(entry.requestId()) : null;
            if (waiting != null) {
                waiting.complete(accepted);
            }
            done.complete(accepted);
        });
        return done;
    }

    /** Whether the records apply to the current image (they do when decided on it; checked all the same). */
    private boolean valid(List<MetadataRecord> records) {
        MetadataImage next = image;
        try {
            for (MetadataRecord r : records) {
                next = next.apply(r);
            }
            return true;
        } catch (RuntimeException e) {
            LOG.error("Rejecting a metadata entry that does not apply: {}", records, e);
            return false;
        }
    }

    @Override
    public MetadataQuorum.State state() {
        return runOnThread(() -> new MetadataQuorum.State(image, lastChange, applied));
    }

    /** Runs {@code task} on the metadata thread and waits for it (in place when already there). */
    private <T> T runOnThread(Callable<T> task) {
        try {
            if (Thread.currentThread() == metadataThread) {
                return task.call();
            }
            return submitTask(task).join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
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

    /** Closes the quorum first (a replicated one may still hand over entries or take a snapshot), then the thread. */
    @Override
    public void close() {
        quorum.close();
        thread.shutdown();
        try {
            thread.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
