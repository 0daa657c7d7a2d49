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

    /** The offset of the entry {@link #lookupPosition} would use (the base offset when none). */
    public synchronized long lookupOffset(long targetOffset) {
        int slot = largestLowerBound(targetOffset, true);
        return slot < 0 ? baseOffset : baseOffset + relativeOffset(slot);
    }

    /** Appends an entry; offsets must increase. An IOException (a full disk) adds nothing. */
    public synchronized void append(long offset, int position) throws IOException {
        if (entries > 0 && offset <= lastOffset()) {
            throw new IllegalStateException("index entry offset " + offset + " is not after " + lastOffset() + " in " + file());
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

    @Override
    public synchronized void sanityCheck() throws CorruptIndexException {
        if (file().length() % OFFSET_ENTRY_SIZE != 0) {
            throw new CorruptIndexException("Index file " + file() + " is corrupt, found " + file().length()
                + " bytes which is neither positive nor a multiple of " + OFFSET_ENTRY_SIZE);
        }
        if (entries > 0 && lastOffset() < baseOffset) {
            throw new CorruptIndexException("Corrupt index found, index file (" + file() + ") has non-zero size but the last offset is "
                + lastOffset() + " which is less than the base offset " + baseOffset);
        }
        if (entries > 1 && relativeOffset(entries - 1) <= relativeOffset(entries - 2)) {
            throw new CorruptIndexException("Index file " + file() + " does not end in increasing entries");
        }
    }
}
