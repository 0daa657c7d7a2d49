package io.skiff.broker.metadata;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The metadata quorum of a single node: its {@link MetadataLog} file. An append is fsynced and
 * committed when it returns, so the manager applies it at once; no entry of another node can come
 * between a decision and its append. Not thread-safe: used on the metadata thread only (and by
 * {@link #open} before it runs).
 */
public final class LocalQuorum implements MetadataQuorum {
    private static final Logger LOG = LoggerFactory.getLogger(LocalQuorum.class);

    private final Path dir;
    private final int nodeId;
    private MetadataLog log;

    public LocalQuorum(Path dir, int nodeId) {
        this.dir = dir;
        this.nodeId = nodeId;
    }

    @Override
    public void open(Committer committer) throws IOException {
        List<MetadataRecord> records = new ArrayList<>();
        log = MetadataLog.open(dir, records);
        MetadataImage img = MetadataImage.EMPTY;
        for (MetadataRecord r : records) {
            img = img.apply(r);
        }
        LOG.info(
                "Loaded {} metadata records: {} topics",
                records.size(),
                img.topics().size());
        committer.load(new State(img, records.size(), records.size()));
    }

    @Override
    public boolean committedOnAppend() {
        return true;
    }

    @Override
    public CompletableFuture<Void> append(Entry entry) {
        try {
            log.append(entry.records());
            return CompletableFuture.completedFuture(null);
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public QuorumStatus status() {
        long end = log == null ? 0 : log.nextOffset();
        return new QuorumStatus(nodeId, 1, end, List.of(new QuorumStatus.Replica(nodeId, end, -1)));
    }

    @Override
    public void close() {
        if (log == null) {
            return;
        }
        try {
            log.close();
        } catch (IOException e) {
            LOG.warn("Closing the metadata log failed", e);
        }
    }
}
