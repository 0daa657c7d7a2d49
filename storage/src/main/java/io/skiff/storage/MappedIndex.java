package io.skiff.storage;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A memory-mapped file of fixed-size sorted entries (the offset and time indexes). Preallocated
 * to the max index size while its segment is active; {@link #trimToValidSize()} shrinks the file
 * to its entries. Thread-safe: every access holds this object's monitor (a lookup is a short
 * binary search; the lock also guards remapping on resize).
 *
 * <p>Lookups read the mapping; new entries are written through a file channel instead
 * ({@link #writeEntry}), which the mapping sees at once (one page cache). The preallocated file is
 * sparse, so the first write into each of its pages allocates disk space: through the mapping a
 * full disk would raise SIGBUS (an asynchronous {@code InternalError} at best), through the
 * channel it is an {@link IOException} at the write that caused it. The channel is opened on the
 * first append and closed when the index is trimmed or closed.
 */
abstract class MappedIndex implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MappedIndex.class);
    private static final Method INVOKE_CLEANER;
    private static final Object UNSAFE;

    static {
        Method m = null;
        Object u = null;
        try {
            Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
            Field f = unsafeClass.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            u = f.get(null);
            m = unsafeClass.getMethod("invokeCleaner", ByteBuffer.class);
        } catch (ReflectiveOperationException | RuntimeException e) {
            m = null;
        }
        INVOKE_CLEANER = m;
        UNSAFE = u;
    }

    protected final long baseOffset;
    private final int entrySize;
    private volatile File file;
    private int maxIndexSize;
    protected MappedByteBuffer mmap;
    protected int entries;
    private int maxEntries;
    private boolean closed;
    /** Writes new entries (see the class comment); null until the first append after opening or trimming. */
    private FileChannel writer;

    private final ByteBuffer entry;

    MappedIndex(File file, long baseOffset, int maxIndexSize, int entrySize) throws IOException {
        this.file = file;
        this.baseOffset = baseOffset;
        this.entrySize = entrySize;
        this.maxIndexSize = maxIndexSize;
        this.entry = ByteBuffer.allocate(entrySize);
        boolean newlyCreated = !file.exists();
        try (RandomAccessFile raf = new RandomAccessFile(file, "rw")) {
            if (newlyCreated) {
                if (maxIndexSize < entrySize) {
                    throw new IllegalArgumentException(
                            "segment.index.bytes " + maxIndexSize + " is smaller than an index entry");
                }
                raf.setLength(roundDown(maxIndexSize));
            }
            long length = raf.length();
            mmap = raf.getChannel().map(FileChannel.MapMode.READ_WRITE, 0, length);
            if (newlyCreated) {
                mmap.position(0);
            } else {
                mmap.position(roundDown((int) Math.min(length, Integer.MAX_VALUE)));
            }
        }
        maxEntries = mmap.limit() / entrySize;
        entries = mmap.position() / entrySize;
    }

    private int roundDown(int size) {
        return size / entrySize * entrySize;
    }

    public synchronized int entries() {
        return entries;
    }

    public synchronized int maxEntries() {
        return maxEntries;
    }

    public synchronized boolean isFull() {
        return entries >= maxEntries;
    }

    public File file() {
        return file;
    }

    public synchronized long sizeInBytes() {
        return (long) entries * entrySize;
    }

    /** Resizes the file (and mapping) to {@code newSize} rounded down to whole entries, keeping the entries. */
    public synchronized boolean resize(int newSize) throws IOException {
        int rounded = roundDown(newSize);
        if (mmap.limit() == rounded) {
            return false;
        }
        int position = mmap.position();
        unmap();
        try (RandomAccessFile raf = new RandomAccessFile(file, "rw")) {
            raf.setLength(rounded);
            mmap = raf.getChannel().map(FileChannel.MapMode.READ_WRITE, 0, rounded);
        }
        maxEntries = rounded / entrySize;
        mmap.position(Math.min(position, rounded));
        return true;
    }

    /** Shrinks the file to the entries it holds (done when the segment stops being active). */
    public synchronized void trimToValidSize() throws IOException {
        closeWriter();
        resize(entries * entrySize);
    }

    /** The buffer to fill with one new entry, then pass to {@link #writeEntry}. Caller holds the monitor. */
    protected final ByteBuffer newEntry() {
        entry.clear();
        return entry;
    }

    /**
     * Writes the entry filled in {@link #newEntry()} after the last one, through the file channel,
     * and counts it only once it is written. Caller holds the monitor and has checked the index
     * is not full. An IOException (a full disk) leaves the entries as they were.
     */
    protected final void writeEntry() throws IOException {
        ByteBuffer e = entry;
        e.flip();
        int at = entries * entrySize;
        FileChannel w = writer;
        if (w == null) {
            w = FileChannel.open(file.toPath(), StandardOpenOption.WRITE);
            writer = w;
        }
        while (e.hasRemaining()) {
            w.write(e, at + e.position());
        }
        entries++;
        mmap.position(entries * entrySize);
    }

    private void closeWriter() throws IOException {
        FileChannel w = writer;
        writer = null;
        if (w != null) {
            w.close();
        }
    }

    /** Grows the file back to the max index size (when its segment becomes the active one again). */
    public synchronized void resizeToMax(int maxIndexSize) throws IOException {
        this.maxIndexSize = maxIndexSize;
        resize(maxIndexSize);
    }

    /** Removes every entry. */
    public synchronized void reset() throws IOException {
        truncateToEntries(0);
        resize(maxIndexSize);
    }

    protected void truncateToEntries(int n) {
        entries = n;
        mmap.position(n * entrySize);
    }

    /** Forces the mapped pages to disk. */
    public synchronized void flush() {
        if (!closed) {
            mmap.force();
        }
    }

    /** Renames the file (e.g. to its .deleted name). */
    public synchronized void renameTo(File target) throws IOException {
        if (file.exists()) {
            Files.move(file.toPath(), target.toPath(), StandardCopyOption.REPLACE_EXISTING);
        }
        file = target;
    }

    /** Trims the file, then releases the mapping. */
    @Override
    public synchronized void close() throws IOException {
        if (!closed) {
            try {
                trimToValidSize();
            } finally {
                closeWriter();
                unmap();
                closed = true;
            }
        }
    }

    /**
     * Releases the mapping and the writer without trimming and without opening the file by name
     * (the directory may have been renamed and the name taken by another log's file).
     */
    public synchronized void release() {
        if (!closed) {
            try {
                closeWriter();
            } catch (IOException e) {
                LOG.warn("Closing {} failed: {}", file, e.toString());
            } finally {
                unmap();
                closed = true;
            }
        }
    }

    /** Releases the mapping without trimming, then deletes the file. */
    public synchronized void closeAndDelete() throws IOException {
        if (!closed) {
            closeWriter();
            unmap();
            closed = true;
        }
        Files.deleteIfExists(file.toPath());
    }

    private void unmap() {
        MappedByteBuffer m = mmap;
        if (m != null && INVOKE_CLEANER != null) {
            try {
                INVOKE_CLEANER.invoke(UNSAFE, m);
            } catch (ReflectiveOperationException | RuntimeException e) {
                // left to the garbage collector
            }
        }
    }

    /**
     * Index of the last entry whose key is {@code <= target}, or -1 when every key is larger
     * (or there is no entry). Keys must be non-decreasing.
     */
    protected int largestLowerBound(long target, boolean byOffset) {
        if (entries == 0) {
            return -1;
        }
        if (key(0, byOffset) > target) {
            return -1;
        }
        int lo = 0;
        int hi = entries - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (key(mid, byOffset) <= target) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    /** The search key of entry {@code n}: its absolute offset, or (time index) its timestamp. */
    protected abstract long key(int n, boolean byOffset);

    /**
     * Throws CorruptIndexException when the file cannot be this index of a log file of {@code
     * logSizeInBytes} bytes followed by a segment at {@code nextBaseOffset} (Long.MAX_VALUE when
     * none). Constant time: it reads the first and last entries only, so that start-up does not
     * read every index (Kafka skips these checks at start-up for the same reason).
     */
    public abstract void sanityCheck(long logSizeInBytes, long nextBaseOffset) throws CorruptIndexException;

    /** A file whose content cannot be an index; the segment rebuilds it. */
    static final class CorruptIndexException extends IOException {
        private static final long serialVersionUID = 1L;

        CorruptIndexException(String message) {
            super(message);
        }
    }
}
