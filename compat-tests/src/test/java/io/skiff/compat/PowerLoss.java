package io.skiff.compat;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * Simulates a power loss on the partition directory of a broker that was just killed with
 * SIGKILL, in the default (page cache) durability mode: what the broker had not recorded as
 * flushed is dropped, as a machine crash may drop it.
 *
 * <p>The model. The recovery point in {@code recovery-point-offset-checkpoint} is the broker's
 * own claim that everything below it (data and indexes) was fsynced; it is the only flushed
 * position a Kafka-format log records (the size covered by the last fsync of the active segment is
 * not recorded anywhere). Segments wholly below it are left alone. From the batch at the recovery
 * point on, the page cache is lost from a random point: each later segment is kept whole (its
 * pages happened to be written back) until one is cut at a random byte at or after its flushed
 * floor (so the cut may tear a batch), sometimes followed by zero bytes (a file size that reached
 * the disk before its data); every segment after the cut is lost (deleted, or its log emptied with
 * stale indexes left). The indexes of damaged segments keep stale entries past the cut or are cut
 * themselves, at any length. Producer snapshots above the recovery point (not flushed in Kafka
 * either) are kept, cut or deleted. Loss is therefore a suffix of the log: a machine crash could
 * also write back a later page and lose an earlier one, leaving a hole that Kafka's recovery
 * itself does not detect across segments, so that is not simulated. The checkpoint files and the
 * metadata log are left as they are.
 *
 * <p>Stateless apart from the {@link Random} it is given; not thread-safe with respect to the
 * directory (the broker must be dead).
 */
final class PowerLoss {
    /** What the simulated power loss left: the log is expected to end at {@code survivingEnd} after recovery. */
    record Outcome(long recoveryPoint, long survivingEnd, String description) {}

    private PowerLoss() {}

    static Outcome apply(File dir, long recoveryPoint, Random rnd) throws IOException {
        TreeMap<Long, File> segments = PartitionFiles.segmentFiles(dir);
        Map.Entry<Long, File> floor = segments.floorEntry(recoveryPoint);
        long first = floor == null ? segments.isEmpty() ? 0 : segments.firstKey() : floor.getKey();
        List<String> what = new ArrayList<>();
        long survivingEnd = -1;
        boolean cut = false;
        for (Map.Entry<Long, File> e : segments.tailMap(first, true).entrySet()) {
            File log = e.getValue();
            PartitionFiles.Segment seg = PartitionFiles.readSegment(log);
            if (cut) {
                loseWholeSegment(log, rnd, what);
                continue;
            }
            int flushedFloor = 0;
            if (e.getKey() == first) {
                flushedFloor = (int) seg.sizeInBytes();
                for (PartitionFiles.Batch b : seg.batches()) {
                    if (b.baseOffset() >= recoveryPoint) {
                        flushedFloor = b.position();
                        break;
                    }
                }
            }
            survivingEnd = seg.nextOffset();
            if (rnd.nextInt(4) == 0 && e.getKey() != segments.lastKey()) {
                what.add(log.getName() + " kept whole");
                continue;
            }
            long size = seg.sizeInBytes();
            long at = rnd.nextBoolean()
                    ? flushedFloor
                    : flushedFloor + (long) (rnd.nextDouble() * (size - flushedFloor + 1));
            at = Math.min(at, size);
            survivingEnd = cutLog(log, seg, at, rnd, what);
            damageIndexes(log, rnd, what);
            cut = true;
        }
        if (survivingEnd < 0) {
            survivingEnd = segments.isEmpty()
                    ? 0
                    : PartitionFiles.readSegment(segments.lastEntry().getValue())
                            .nextOffset();
        }
        for (Map.Entry<Long, File> s :
                PartitionFiles.filesWithSuffix(dir, ".snapshot").entrySet()) {
            if (s.getKey() > recoveryPoint) {
                damageSnapshot(s.getValue(), rnd, what);
            }
        }
        return new Outcome(recoveryPoint, survivingEnd, String.join("; ", what));
    }

    /** Cuts {@code log} at byte {@code at}, maybe appends zeros; returns the offset after the last whole batch kept. */
    private static long cutLog(File log, PartitionFiles.Segment seg, long at, Random rnd, List<String> what)
            throws IOException {
        int zeros = rnd.nextInt(4) == 0 ? 1 + rnd.nextInt(4096) : 0;
        try (RandomAccessFile f = new RandomAccessFile(log, "rw")) {
            f.setLength(at);
            if (zeros > 0) {
                f.seek(at);
                f.write(new byte[zeros]);
            }
        }
        long end = seg.baseOffset();
        for (PartitionFiles.Batch b : seg.batches()) {
            if (b.end() <= at) {
                end = b.lastOffset() + 1;
            }
        }
        what.add(log.getName() + " cut from " + seg.sizeInBytes() + " to " + at + " bytes"
                + (zeros > 0 ? " + " + zeros + " zero bytes" : "") + " (log end " + seg.nextOffset() + " -> " + end
                + ")");
        return end;
    }

    private static void loseWholeSegment(File log, Random rnd, List<String> what) throws IOException {
        if (rnd.nextBoolean()) {
            for (String suffix : List.of(".log", ".index", ".timeindex")) {
                Files.deleteIfExists(PartitionFiles.sibling(log, suffix).toPath());
            }
            what.add(log.getName() + " lost with its indexes");
        } else {
            try (RandomAccessFile f = new RandomAccessFile(log, "rw")) {
                f.setLength(0);
            }
            what.add(log.getName() + " emptied, stale indexes kept");
        }
    }

    private static void damageIndexes(File log, Random rnd, List<String> what) throws IOException {
        for (String suffix : List.of(".index", ".timeindex")) {
            File idx = PartitionFiles.sibling(log, suffix);
            if (!idx.exists() || rnd.nextBoolean()) {
                continue; // stale entries past the cut stay
            }
            long length = (long) (rnd.nextDouble() * (idx.length() + 1));
            try (RandomAccessFile f = new RandomAccessFile(idx, "rw")) {
                f.setLength(length);
            }
            what.add(idx.getName() + " cut to " + length + " bytes");
        }
    }

    private static void damageSnapshot(File snapshot, Random rnd, List<String> what) throws IOException {
        switch (rnd.nextInt(3)) {
            case 0 -> {
                Files.delete(snapshot.toPath());
                what.add(snapshot.getName() + " lost");
            }
            case 1 -> {
                long length = (long) (rnd.nextDouble() * snapshot.length());
                try (RandomAccessFile f = new RandomAccessFile(snapshot, "rw")) {
                    f.setLength(length);
                }
                what.add(snapshot.getName() + " cut to " + length + " bytes");
            }
            default -> {
                // written back whole
            }
        }
    }
}
