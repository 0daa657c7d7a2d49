package io.skiff.storage;

import io.netty.buffer.ByteBuf;
import io.skiff.wire.protocol.Uuid;
import io.skiff.wire.record.RecordBatch;
import io.skiff.wire.util.Clock;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the directory of one partition log: writes or reads partition.metadata, removes leftovers
 * of interrupted operations and completes an interrupted swap of cleaned segments ({@link
 * SwapRecovery}: {@code .deleted}, {@code .cleaned}, {@code .tmp} removed, a whole {@code .swap}
 * completed), removes indexes without a log file, opens the segments, and, after an unclean shutdown, scans every
 * segment from the one holding the recovery point on, truncating a torn or corrupt tail and
 * dropping the segments after it. Missing or corrupt indexes are rebuilt in any case, and a
 * segment that is not scanned but whose tail after its last index entry does not parse is
 * scanned and truncated too. Then it rebuilds an unreadable leader epoch cache from the batch
 * headers, trims the cache to the log and rebuilds the producer state (open transactions
 * included) from the latest valid snapshot plus a replay of the batch headers after it, with the
 * aborted-transaction indexes of the scanned segments.
 *
 * <p>Used once per log, on the opening thread, before the log is shared; not thread-safe. Holds
 * no buffers (the segments it opens go to the {@link LogSegments} it fills).
 */
final class LogLoader {
    private static final Logger LOG = LoggerFactory.getLogger(LogLoader.class);

    /**
     * What loading found.
     *
     * @param topicId the topic id (given, or read from partition.metadata; null when neither)
     * @param logStartOffset the log start offset (the checkpointed one, at least the first segment's base)
     * @param recoveryPoint below it the log is known flushed (the log end after a clean shutdown)
     * @param loadTimeMs the clock when loading began
     */
    record Loaded(Uuid topicId, long logStartOffset, long recoveryPoint, long loadTimeMs) {}

    private final File dir;
    private final String name;
    private final LogConfig config;
    private final Clock clock;

    LogLoader(File dir, String name, LogConfig config, Clock clock) {
        this.dir = dir;
        this.name = name;
        this.config = config;
        this.clock = clock;
    }

    /**
     * Loads the directory into {@code segments} (empty; its end is published), {@code producers}
     * and {@code epochs}. {@code topicId} is written to partition.metadata when given.
     */
    Loaded load(
            LogSegments segments,
            ProducerStateManager producers,
            LeaderEpochCache epochs,
            Uuid topicId,
            boolean hadCleanShutdown,
            long checkpointRecoveryPoint,
            long checkpointedLogStartOffset)
            throws IOException {
        long nowMs = clock.milliseconds();
        Uuid id = loadTopicId(topicId);
        List<LogSegment> needRebuild = openSegments(segments, nowMs);

        long recoverFrom = Long.MAX_VALUE;
        if (!hadCleanShutdown && !segments.isEmpty()) {
            Map.Entry<Long, LogSegment> floor = segments.floorEntry(Math.max(checkpointRecoveryPoint, 0));
            recoverFrom = floor == null ? segments.firstBaseOffset() : floor.getKey();
        }
        checkTrustedTails(segments, recoverFrom, needRebuild, hadCleanShutdown);
        recover(segments, recoverFrom, needRebuild);

        if (segments.isEmpty()) {
            long base = Math.max(0, checkpointedLogStartOffset);
            segments.add(LogSegment.open(dir, base, config, LogSegment.randomRollJitterMs(config), nowMs));
        }
        LogSegment active = segments.last();
        // Older segments have trimmed indexes; the active one grows back to the max size.
        for (LogSegment s : segments.all()) {
            if (s != active) {
                s.onBecomeInactive();
            }
        }
        active.resizeIndexes(config.maxIndexSize);
        long logEndOffset = active.readNextOffset();
        segments.publish(new LogEnd(logEndOffset, active, active.size()));
        long logStartOffset = Math.min(Math.max(checkpointedLogStartOffset, segments.firstBaseOffset()), logEndOffset);
        long recoveryPoint =
                hadCleanShutdown ? logEndOffset : Math.min(Math.max(checkpointRecoveryPoint, 0), logEndOffset);
        if (!hadCleanShutdown && recoverFrom != Long.MAX_VALUE) {
            // Everything just scanned is now known good; it is durable once flushed.
            recoveryPoint = Math.min(recoveryPoint, recoverFrom);
        }

        if (epochs.needsRebuild()) {
            rebuildLeaderEpochs(segments, epochs);
        }
        epochs.truncateFromEnd(logEndOffset);
        epochs.truncateFromStart(logStartOffset);
        rebuildProducerState(segments, producers, logStartOffset, logEndOffset, hadCleanShutdown, recoverFrom, nowMs);
        LOG.info(
                "Loaded {} with {} segments, log start offset {}, log end offset {}{}",
                name,
                segments.count(),
                logStartOffset,
                logEndOffset,
                hadCleanShutdown ? "" : " (recovered)");
        return new Loaded(id, logStartOffset, recoveryPoint, nowMs);
    }

    private Uuid loadTopicId(Uuid topicId) throws IOException {
        File metadata = new File(dir, LogFiles.PARTITION_METADATA);
        if (topicId != null) {
            if (!metadata.exists() || !topicId.equals(readTopicId(metadata))) {
                LogFiles.writeAtomically(metadata, "version: 0\ntopic_id: " + topicId);
            }
            return topicId;
        }
        return metadata.exists() ? readTopicId(metadata) : null;
    }

    private static Uuid readTopicId(File metadata) throws IOException {
        for (String line : Files.readAllLines(metadata.toPath())) {
            if (line.startsWith("topic_id:")) {
                return Uuid.fromString(line.substring("topic_id:".length()).trim());
            }
        }
        throw new IOException("no topic_id in " + metadata);
    }

    /** Removes leftovers, completes swaps, opens every segment; returns those whose indexes are missing or corrupt. */
    private List<LogSegment> openSegments(LogSegments segments, long nowMs) throws IOException {
        new SwapRecovery(dir, name).run();
        File[] files = dir.listFiles();
        List<Long> logOffsets = new ArrayList<>();
        if (files != null) {
            for (File f : files) {
                String n = f.getName();
                if (n.endsWith(LogFiles.LOG_SUFFIX) && LogFiles.offsetFromName(n) >= 0) {
                    logOffsets.add(LogFiles.offsetFromName(n));
                }
            }
            for (File f : files) {
                String n = f.getName();
                long o = LogFiles.offsetFromName(n);
                if (o >= 0
                        && (n.endsWith(LogFiles.INDEX_SUFFIX)
                                || n.endsWith(LogFiles.TIME_INDEX_SUFFIX)
                                || n.endsWith(LogFiles.TXN_INDEX_SUFFIX))
                        && !logOffsets.contains(o)) {
                    LogFiles.deleteRecursively(f);
                }
            }
        }
        logOffsets.sort(null);

        List<LogSegment> needRebuild = new ArrayList<>();
        for (int i = 0; i < logOffsets.size(); i++) {
            long base = logOffsets.get(i);
            long nextBase = i + 1 < logOffsets.size() ? logOffsets.get(i + 1) : Long.MAX_VALUE;
            boolean indexMissing = !LogFiles.file(dir, base, LogFiles.INDEX_SUFFIX)
                            .exists()
                    || !LogFiles.file(dir, base, LogFiles.TIME_INDEX_SUFFIX).exists();
            LogSegment seg = LogSegment.open(dir, base, config, 0L, nowMs);
            boolean corrupt = false;
            try {
                seg.sanityCheckIndexes(nextBase);
            } catch (IOException e) {
                LOG.warn(
                        "Found a corrupted index file for segment {} of {}: {}; rebuilding",
                        base,
                        name,
                        e.getMessage());
                corrupt = true;
            }
            if (indexMissing || corrupt) {
                needRebuild.add(seg);
            }
            segments.add(seg);
        }
        return needRebuild;
    }

    /**
     * The segments that will not be scanned (below {@code recoverFrom}, indexes sane) are trusted,
     * as Kafka trusts them; but the batch headers after each one's last index entry are read (a
     * few positional reads), and a segment whose tail does not lead exactly to the end of its file
     * is added to {@code needRebuild}: it is scanned and truncated at its first invalid batch, the
     * records after it in that segment are lost, and this is logged as an error. Kafka would
     * trust such a segment and fail later reads of it (or its start-up, on the active segment).
     */
    private void checkTrustedTails(
            LogSegments segments, long recoverFrom, List<LogSegment> needRebuild, boolean hadCleanShutdown)
            throws IOException {
        for (LogSegment seg : segments.all()) {
            if (seg.baseOffset >= recoverFrom || needRebuild.contains(seg)) {
                continue;
            }
            if (!seg.tailParses()) {
                LOG.error(
                        "Segment {} of {} is corrupt after its last index entry although it was {}; scanning it and "
                                + "truncating it at its first invalid batch (records after that batch in this segment are lost)",
                        seg.logFile(),
                        name,
                        hadCleanShutdown ? "shut down cleanly" : "below the recovery point");
                needRebuild.add(seg);
            }
        }
    }

    /**
     * Scans the segments from {@code recoverFrom} on and those in {@code needRebuild}; a truncated
     * tail at or after {@code recoverFrom} drops every later segment.
     */
    private void recover(LogSegments segments, long recoverFrom, List<LogSegment> needRebuild) throws IOException {
        List<LogSegment> ordered = new ArrayList<>(segments.all());
        for (int i = 0; i < ordered.size(); i++) {
            LogSegment seg = ordered.get(i);
            if (seg.baseOffset >= recoverFrom || needRebuild.contains(seg)) {
                int truncated = seg.recover(null);
                if (truncated > 0 && seg.baseOffset >= recoverFrom) {
                    for (int j = i + 1; j < ordered.size(); j++) {
                        LogSegment later = ordered.get(j);
                        LOG.warn(
                                "Deleting segment {} of {} after a corrupt tail in {}",
                                later.baseOffset,
                                name,
                                seg.baseOffset);
                        segments.remove(later);
                        later.closeAndDeleteFiles();
                    }
                    break;
                }
            }
        }
    }

    /**
     * Rebuilds a leader epoch cache whose checkpoint file was unreadable from the partition leader
     * epoch of every batch header (epochs only grow along the log), then writes the file again.
     * Kafka takes the log dir offline instead (a one-dir broker halts at every start).
     */
    private void rebuildLeaderEpochs(LogSegments segments, LeaderEpochCache epochs) throws IOException {
        for (LogSegment seg : segments.all()) {
            seg.forEachBatchHeader(
                    seg.baseOffset,
                    (header, position) ->
                            epochs.assignWithoutFlush(header.partitionLeaderEpoch(), header.baseOffset()));
        }
        epochs.flush();
        LOG.warn(
                "Rebuilt the leader epoch cache of {} from the log: {} epochs",
                name,
                epochs.entries().size());
    }

    /**
     * Producer state: a snapshot plus a replay of the batch headers after it (and of each marker's
     * record). A snapshot keeps only each producer's last batch (Kafka's format), so after an
     * unclean shutdown the state starts from a snapshot at or below the base offset of the segment
     * before the active one: producers retry the batches that were in flight (written, not yet
     * acknowledged, e.g. waiting for an fsync), and a roll among them must not make the older ones
     * look out of order, or kafka-clients bumps its epoch and writes them again. The replay also
     * rebuilds the open transactions and, for the segments recovery scanned ({@code recoverFrom}
     * on), their aborted-transaction indexes, which start empty: so it starts at or below
     * {@code recoverFrom} too, where the open transactions are known.
     */
    private static void rebuildProducerState(
            LogSegments segments,
            ProducerStateManager producers,
            long logStartOffset,
            long logEndOffset,
            boolean hadCleanShutdown,
            long recoverFrom,
            long nowMs)
            throws IOException {
        long snapshotAtOrBelow = logEndOffset;
        if (!hadCleanShutdown) {
            Map.Entry<Long, LogSegment> previous = segments.floorEntry(segments.last().baseOffset - 1);
            snapshotAtOrBelow = previous == null ? segments.last().baseOffset : previous.getKey();
            snapshotAtOrBelow = Math.min(snapshotAtOrBelow, recoverFrom);
        }
        long from = producers.loadFromSnapshot(logStartOffset, snapshotAtOrBelow, nowMs);
        for (LogSegment seg : segments.all()) {
            if (seg.baseOffset >= recoverFrom) {
                seg.txnIndex.reset();
            }
        }
        replayProducerState(segments, producers, from, recoverFrom);
        producers.updateMapEndOffset(logEndOffset);
        producers.deleteSnapshotsBefore(segments.firstBaseOffset(), 1);
    }

    /**
     * Replays into {@code producers} the batch headers of {@code segments} from offset {@code from}
     * on (and the record of each marker), re-indexing the transactions aborted in the segments
     * based at or above {@code rebuildTxnIndexFrom} (Long.MAX_VALUE: none). Used at load and after
     * a truncation ({@link LogTruncation}).
     */
    static void replayProducerState(
            LogSegments segments, ProducerStateManager producers, long from, long rebuildTxnIndexFrom)
            throws IOException {
        long[] lastStable = new long[1];
        for (LogSegment seg : segments.from(from)) {
            boolean rebuildTxnIndex = seg.baseOffset >= rebuildTxnIndexFrom;
            seg.forEachBatchHeader(from, (header, position) -> {
                if (header.hasProducerId() && header.isControl()) {
                    replayMarker(
                            seg,
                            header.producerId(),
                            header.producerEpoch(),
                            position,
                            header.sizeInBytes(),
                            producers,
                            rebuildTxnIndex,
                            lastStable);
                } else {
                    producers.replay(header);
                }
            });
        }
    }

    /** Replays the marker batch at {@code position} of {@code seg}; indexes the transaction it aborted when asked. */
    private static void replayMarker(
            LogSegment seg,
            long producerId,
            short producerEpoch,
            long position,
            int size,
            ProducerStateManager producers,
            boolean rebuildTxnIndex,
            long[] lastStable)
            throws IOException {
        ByteBuf whole = seg.readBatchAt(position, size);
        try {
            RecordBatch batch = new RecordBatch().wrap(whole, 0);
            int type = TxnMarkers.controlType(batch);
            if (type == TxnMarkers.NOT_A_MARKER) {
                return;
            }
            CompletedTxn txn = producers.replayMarker(
                    producerId,
                    producerEpoch,
                    TxnMarkers.coordinatorEpoch(batch),
                    batch.baseOffset(),
                    batch.maxTimestamp(),
                    type == TxnMarkers.TYPE_ABORT,
                    lastStable);
            if (txn != null && rebuildTxnIndex) {
                seg.updateTxnIndex(txn, lastStable[0]);
            }
        } finally {
            whole.release();
        }
    }
}
