package io.skiff.bench;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * What an fsync costs on this disk, for the choices of Skiff's durable mode: append-then-fdatasync
 * (the file grows with every write, as a segment does today) against fdatasync into space that was
 * made beforehand, either written with zeros or only sized with {@code setLength} (sparse, as a
 * plain preallocation), and fdatasync against fsync; then fdatasyncs of several files from several
 * threads at once (a log dir's partitions fsynced in parallel). Prints latency percentiles and the
 * throughput each achieves; figures are printed, never asserted.
 *
 * <p>{@code bench/run-fsync-probe.sh [--dir DIR] [--writes N] [--sizes 16384,65536] [--threads 1,2,4,8]}.
 * The files are written in {@code DIR} (default {@code bench/target/fsync-probe}, which must be on the
 * disk that holds the log dirs) and deleted afterwards.
 */
public final class FsyncProbe {
    private Path dir = Paths.get("bench/target/fsync-probe");
    private int writes = 2000;
    private int[] sizes = {16384, 65536};
    private int[] threads = {1, 2, 4, 8};

    private FsyncProbe() {}

    /** How the file's space is made before the measured writes. */
    private enum Space {
        /** Nothing: every write extends the file. */
        APPEND,
        /** Sized with setLength: a sparse file, blocks allocated as the writes come. */
        SPARSE,
        /** Written with zeros and fsynced: blocks allocated and the size fixed beforehand. */
        ZEROED
    }

    public static void main(String[] args) throws Exception {
        FsyncProbe p = new FsyncProbe();
        for (int i = 0; i < args.length; i++) {
            String v = i + 1 < args.length ? args[i + 1] : "";
            switch (args[i]) {
                case "--dir" -> p.dir = Paths.get(v);
                case "--writes" -> p.writes = Integer.parseInt(v);
                case "--sizes" -> p.sizes = ints(v);
                case "--threads" -> p.threads = ints(v);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
            i++;
        }
        p.run();
    }

    private static int[] ints(String csv) {
        return Arrays.stream(csv.split(",")).mapToInt(Integer::parseInt).toArray();
    }

    private void run() throws Exception {
        Files.createDirectories(dir);
        System.out.printf("# fsync probe in %s, %d writes per run%n", dir.toAbsolutePath(), writes);
        System.out.printf(
                "%-8s %-10s %7s %9s %9s %9s %9s%n", "space", "sync", "bytes", "avg us", "p50 us", "p99 us", "MB/s");
        for (int size : sizes) {
            for (Space space : Space.values()) {
                for (boolean metadata : new boolean[] {false, true}) {
                    long[] lat = oneFile(dir.resolve("probe-" + space), space, size, metadata);
                    print(space.name().toLowerCase(), metadata ? "fsync" : "fdatasync", size, lat);
                }
            }
        }
        System.out.printf("%n%-8s %7s %12s %9s%n", "threads", "bytes", "fdatasync/s", "MB/s");
        for (int size : sizes) {
            for (int n : threads) {
                parallel(n, size);
            }
        }
    }

    /** Latencies (ns) of {@link #writes} write+sync pairs of {@code size} bytes into one file. */
    private long[] oneFile(Path file, Space space, int size, boolean metadata) throws IOException {
        Files.deleteIfExists(file);
        long total = (long) writes * size;
        try (FileChannel ch =
                FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.READ)) {
            if (space == Space.ZEROED) {
                ByteBuffer zeros = ByteBuffer.allocateDirect(1 << 20);
                for (long at = 0; at < total; ) {
                    zeros.clear().limit((int) Math.min(zeros.capacity(), total - at));
                    while (zeros.hasRemaining()) {
                        at += ch.write(zeros, at);
                    }
                }
                ch.force(true);
            } else if (space == Space.SPARSE) {
                try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
                    raf.setLength(total);
                }
                ch.force(true);
            }
            ByteBuffer data = ByteBuffer.allocateDirect(size);
            for (int i = 0; i < size; i++) {
                data.put(i, (byte) (i * 31 + 7));
            }
            long[] lat = new long[writes];
            long position = 0;
            long start = System.nanoTime();
            for (int i = 0; i < writes; i++) {
                data.clear();
                while (data.hasRemaining()) {
                    position += ch.write(data, position);
                }
                long t = System.nanoTime();
                ch.force(metadata);
                lat[i] = System.nanoTime() - t;
            }
            lat = Arrays.copyOf(lat, writes + 1);
            lat[writes] = System.nanoTime() - start; // the run's elapsed time, taken off before sorting
            return lat;
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private void print(String space, String sync, int size, long[] latAndElapsed) {
        long elapsed = latAndElapsed[writes];
        long[] lat = Arrays.copyOf(latAndElapsed, writes);
        Arrays.sort(lat);
        long sum = 0;
        for (long l : lat) {
            sum += l;
        }
        System.out.printf(
                "%-8s %-10s %7d %9d %9d %9d %9.0f%n",
                space,
                sync,
                size,
                sum / writes / 1000,
                lat[writes / 2] / 1000,
                lat[writes * 99 / 100] / 1000,
                (double) writes * size * 1e3 / elapsed);
    }

    /** {@code n} threads, each appending and fdatasyncing its own file {@link #writes} / 2 times. */
    private void parallel(int n, int size) throws Exception {
        int each = Math.max(1, writes / 2);
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Future<?>> done = new ArrayList<>();
            long start = System.nanoTime();
            for (int t = 0; t < n; t++) {
                Path file = dir.resolve("parallel-" + t);
                done.add(pool.submit(() -> {
                    appendAndSync(file, size, each);
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf(
                    "%-8d %7d %12.0f %9.0f%n", n, size, n * each / seconds, n * each * (double) size / 1e6 / seconds);
        } finally {
            pool.shutdown();
        }
    }

    private static void appendAndSync(Path file, int size, int count) throws IOException {
        Files.deleteIfExists(file);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            ByteBuffer data = ByteBuffer.allocateDirect(size);
            long position = 0;
            for (int i = 0; i < count; i++) {
                data.clear();
                while (data.hasRemaining()) {
                    position += ch.write(data, position);
                }
                ch.force(false);
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
