package io.skiff.storage;

import static io.skiff.storage.IndexDescriptor.OFFSET_ENTRY_SIZE;
import static io.skiff.storage.IndexDescriptor.OFFSET_POSITION_OFFSET;
import static io.skiff.storage.IndexDescriptor.OFFSET_RELATIVE_OFFSET_OFFSET;

import java.io.File;
import java.io.IOException;

/**
 * The sparse offset index of a segment ({@code .index}): maps the last offset of some batches to
 * the file position where that batch starts. A lookup gives the position from which to scan for
 * an offset. Thread-safe (see {@link MappedIndex}).
 */
final class OffsetIndex extends MappedIndex {
    OffsetIndex(File file, long baseOffset, int maxIndexSize) throws IOException {
        super(file, baseOffset, maxIndexSize, OFFSET_ENTRY_SIZE);
    }

    private int relativeOffset(int n) {
        return mmap.getInt(n * OFFSET_ENTRY_SIZE + OFFSET_RELATIVE_OFFSET_OFFSET);
    }

    private int position(int n) {
        return mmap.getInt(n * OFFSET_ENTRY_SIZE + OFFSET_POSITION_OFFSET);
    }

    @Override
    protected long key(int n, boolean byOffset) {
        return baseOffset + relativeOffset(n);
    }

    /** The absolute offset of the last entry, or the base offset when empty. */
    public synchronized long lastOffset() {
        return entries == 0 ? baseOffset : baseOffset + relativeOffset(entries - 1);
    }

    /**
     * The file position to start scanning from for {@code targetOffset}: the position of the last
     * entry whose offset is {@code <= targetOffset}, or 0.
     */
    public synchronized int lookupPosition(long targetOffset) {
        int slot = largestLowerBound(targetOffset, true);
        return slot < 0 ? 0 : position(slot);
    }

    /** The position of the first entry whose offset is {@code >= targetOffset}, or -1 when none. */
    public synchronized int lookupPositionAtOrAfter(long targetOffset) {
        int slot = largestLowerBound(targetOffset, true);
        int next = slot >= 0 && baseOffset + relativeOffset(slot) == targetOffset ? slot : slot + 1;
        return next < entries ? position(next) : -1;
    }

    /** The offset of the first entry whose position is {@code >= position}, or -1 when none (positions increase). */
    public synchronized long offsetAtOrAfterPosition(long position) {
        int lo = 0;
        int hi = entries - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (position(mid) >= position) {
                found = mid;
                hi = mid - 1;
            } else {
                lo = mid + 1;
            }
        }
        return found < 0 ? -1L : baseOffset + relativeOffset(found);
    }

    /** The offset of the entry {@link #lookupPosition} would use (the base offset when none). */
    public synchronized long lookupOffset(long targetOffset) {
        int slot = largestLowerBound(targetOffset, true);
        return slot < 0 ? baseOffset : baseOffset + relativeOffset(slot);
    }

    /** Appends an entry; offsets must increase. An IOException (a full disk) adds nothing. */
    public synchronized void append(long offset, int position) throws IOException {
        if (entries > 0 && offset <= lastOffset()) {
            throw new IllegalStateException(
                    "index entry offset " + offset + " is not after " + lastOffset() + " in " + file());
        }
        if (isFull()) {
            throw new IllegalStateException("index " + file() + " is full");
        }
        newEntry().putInt((int) (offset - baseOffset)).putInt(position);
        writeEntry();
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
     * Checks, in constant time, what Kafka's sanity check checks (whole entries, last offset not
     * below the base offset) and more: the first entry not below the base offset, the last two
     * entries increasing in offset and position, the last offset below {@code nextBaseOffset} (the
     * next segment's base) and the last position inside the log file of {@code logSizeInBytes}.
     */
    @Override
    public synchronized void sanityCheck(long logSizeInBytes, long nextBaseOffset) throws CorruptIndexException {
        if (file().length() % OFFSET_ENTRY_SIZE != 0) {
            throw new CorruptIndexException("Index file " + file() + " is corrupt, found " + file().length()
                    + " bytes which is neither positive nor a multiple of " + OFFSET_ENTRY_SIZE);
        }
        if (entries == 0) {
            return;
        }
        int last = entries - 1;
        if (relativeOffset(0) < 0 || relativeOffset(last) < 0) {
            throw new CorruptIndexException(
                    "Corrupt index found, index file (" + file() + ") has non-zero size but the last offset is "
                            + lastOffset() + " which is less than the base offset " + baseOffset);
        }
        if (entries > 1
                && (relativeOffset(last) <= relativeOffset(last - 1)
                        || position(last) <= position(last - 1)
                        || relativeOffset(last) <= relativeOffset(0))) {
            throw new CorruptIndexException("Index file " + file() + " does not end in increasing entries");
        }
        if (lastOffset() >= nextBaseOffset) {
            throw new CorruptIndexException("Index file " + file() + " has offset " + lastOffset()
                    + " which is not below the next segment's base offset " + nextBaseOffset);
        }
        if (position(0) < 0 || position(last) < 0 || position(last) >= logSizeInBytes) {
            throw new CorruptIndexException("Index file " + file() + " has position " + position(last)
                    + " which is outside the log file of " + logSizeInBytes + " bytes");
        }
    }
}
