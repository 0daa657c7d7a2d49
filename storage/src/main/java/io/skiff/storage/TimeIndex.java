package io.skiff.storage;

import static io.skiff.storage.IndexDescriptor.TIME_ENTRY_SIZE;
import static io.skiff.storage.IndexDescriptor.TIME_RELATIVE_OFFSET_OFFSET;
import static io.skiff.storage.IndexDescriptor.TIME_TIMESTAMP_OFFSET;

import java.io.File;
import java.io.IOException;

/**
 * The sparse time index of a segment ({@code .timeindex}): entries of (max timestamp so far,
 * offset of the batch holding it), added only when the timestamp grows. Keeps one slot free
 * for the entry written when the segment is rolled. Thread-safe (see {@link MappedIndex}).
 */
final class TimeIndex extends MappedIndex {
    TimeIndex(File file, long baseOffset, int maxIndexSize) throws IOException {
        super(file, baseOffset, maxIndexSize, TIME_ENTRY_SIZE);
    }

    private long timestamp(int n) {
        return mmap.getLong(n * TIME_ENTRY_SIZE + TIME_TIMESTAMP_OFFSET);
    }

    private int relativeOffset(int n) {
        return mmap.getInt(n * TIME_ENTRY_SIZE + TIME_RELATIVE_OFFSET_OFFSET);
    }

    @Override
    protected long key(int n, boolean byOffset) {
        return byOffset ? baseOffset + relativeOffset(n) : timestamp(n);
    }

    @Override
    public synchronized boolean isFull() {
        return entries >= maxEntries() - 1;
    }

    /** The last entry's timestamp, or -1 when empty. */
    public synchronized long lastTimestamp() {
        return entries == 0 ? -1L : timestamp(entries - 1);
    }

    /** The last entry's offset, or the base offset when empty. */
    public synchronized long lastOffset() {
        return entries == 0 ? baseOffset : baseOffset + relativeOffset(entries - 1);
    }

    /**
     * The offset of the last entry whose timestamp is {@code <= timestamp}, or the base offset
     * when there is none: where a search for the first record at or after {@code timestamp} starts.
     */
    public synchronized long lookupOffset(long timestamp) {
        int slot = largestLowerBound(timestamp, false);
        return slot < 0 ? baseOffset : baseOffset + relativeOffset(slot);
    }

    /** Appends (timestamp, offset) if the timestamp is larger than the last entry's. An IOException adds nothing. */
    public synchronized void maybeAppend(long timestamp, long offset, boolean skipFullCheck) throws IOException {
        if (!skipFullCheck && isFull()) {
            throw new IllegalStateException("time index " + file() + " is full");
        }
        if (entries > 0 && offset < lastOffset()) {
            throw new IllegalStateException(
                    "time index offset " + offset + " is before " + lastOffset() + " in " + file());
        }
        if (entries > 0 && timestamp < lastTimestamp()) {
            throw new IllegalStateException("time index timestamp " + timestamp + " is before " + lastTimestamp());
        }
        if (entries == 0 || timestamp > lastTimestamp()) {
            if (entries >= maxEntries()) {
                return;
            }
            newEntry().putLong(timestamp).putInt((int) (offset - baseOffset));
            writeEntry();
        }
    }

    /** Removes the entries whose offset is {@code >= offset}. */
    public synchronized void truncateTo(long offset) {
        int slot = largestLowerBound(offset, true);
        int keep;
        if (slot < 0) {
            keep = 0;
        } else if (baseOffset + relativeOffset(slot) == offset) {
            keep = slot;
        } else {
            keep = slot + 1;
        }
        truncateToEntries(keep);
    }

    /**
     * Checks, in constant time, what Kafka's sanity check checks (whole entries, last timestamp not
     * below the first, last offset not below the base offset) and more: the last two entries
     * increasing in timestamp and not decreasing in offset, the last offset below {@code
     * nextBaseOffset} (the next segment's base); an empty log file must have no entry.
     */
    @Override
    public synchronized void sanityCheck(long logSizeInBytes, long nextBaseOffset) throws CorruptIndexException {
        if (file().length() % TIME_ENTRY_SIZE != 0) {
            throw new CorruptIndexException("Time index file " + file() + " is corrupt, found " + file().length()
                    + " bytes which is neither positive nor a multiple of " + TIME_ENTRY_SIZE);
        }
        if (entries == 0) {
            return;
        }
        int last = entries - 1;
        if (lastTimestamp() < timestamp(0)) {
            throw new CorruptIndexException("Corrupt time index found, time index file (" + file()
                    + ") has non-zero size " + "but the last timestamp is " + lastTimestamp()
                    + " which is less than the first timestamp " + timestamp(0));
        }
        if (relativeOffset(0) < 0 || relativeOffset(last) < 0) {
            throw new CorruptIndexException("Corrupt time index found, time index file (" + file()
                    + ") has non-zero size " + "but the last offset is " + lastOffset()
                    + " which is less than the base offset " + baseOffset);
        }
        if (entries > 1
                && (timestamp(last) <= timestamp(last - 1) || relativeOffset(last) < relativeOffset(last - 1))) {
            throw new CorruptIndexException("Time index file " + file() + " does not end in increasing entries");
        }
        if (lastOffset() >= nextBaseOffset || logSizeInBytes == 0) {
            throw new CorruptIndexException(
                    "Time index file " + file() + " has offset " + lastOffset() + " which is outside its segment");
        }
    }
}
