package io.skiff.broker.admin;

import io.skiff.broker.metadata.MetadataManager;
import io.skiff.broker.metadata.MetadataManager.Decision;
import io.skiff.broker.metadata.MetadataRecord;
import java.util.concurrent.CompletableFuture;

/**
 * Hands out producer ids for idempotent and transactional producers. Ids come in blocks of
 * {@link #BLOCK_SIZE} whose end is recorded in the metadata log before any id of the block is
 * used, so that no id is ever handed out twice, across restarts and crashes. Thread-safe.
 */
public final class ProducerIdManager {
    static final long BLOCK_SIZE = 1000;

    private final MetadataManager metadata;
    private long next;
    private long blockEnd;

    public ProducerIdManager(MetadataManager metadata) {
        this.metadata = metadata;
    }

    /** The next unused producer id; completes at once unless a new block must be recorded. */
    public CompletableFuture<Long> nextId() {
        synchronized (this) {
            if (next < blockEnd) {
                return CompletableFuture.completedFuture(next++);
            }
        }
        return metadata.write(image -> {
                    long start = image.nextProducerId();
                    return Decision.of(start, new MetadataRecord.ProducerIdsAllocated(start + BLOCK_SIZE));
                })
                .thenApply(start -> {
                    synchronized (this) {
                        if (next >= blockEnd) {
                            next = start;
                            blockEnd = start + BLOCK_SIZE;
                        }
                        return next++;
                    }
                });
    }
}
