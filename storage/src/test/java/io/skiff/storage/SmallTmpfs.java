package io.skiff.storage;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A tmpfs of a few megabytes mounted on a directory, for tests that must run out of disk space.
 * Mounting needs root and the {@code mount} tool; where either is missing the test is aborted
 * (reported as skipped, with the reason), never passed. {@link #close()} unmounts. Not thread-safe.
 */
final class SmallTmpfs implements AutoCloseable {
    final File dir;

    private SmallTmpfs(File dir) {
        this.dir = dir;
    }

    /** Mounts a tmpfs of {@code sizeBytes} (whole KiB) on {@code dir}, created when missing; skips the test if it cannot. */
    static SmallTmpfs mount(File dir, long sizeBytes) throws IOException, InterruptedException {
        if (!dir.isDirectory() && !dir.mkdirs()) {
            throw new IOException("cannot create " + dir);
        }
        String size = "size=" + (sizeBytes / 1024) + "k";
        Result r = run(List.of("mount", "-t", "tmpfs", "-o", size, "tmpfs", dir.getAbsolutePath()));
        Assumptions.assumeTrue(
                r.status == 0,
                () -> "cannot mount a small tmpfs on " + dir
                        + " (needs root and mount(8)), so the disk-full test cannot run: " + r.output);
        return new SmallTmpfs(dir);
    }

    /** Writes a file of {@code bytes} zeros (real pages, not a sparse file) that takes space until deleted. */
    File fill(String name, int bytes) throws IOException {
        File f = new File(dir, name);
        Files.write(f.toPath(), new byte[bytes]);
        return f;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        Result r = run(List.of("umount", dir.getAbsolutePath()));
        if (r.status != 0) {
            // Still busy (a file left open by a failed test): detach it so that it goes once released.
            Result lazy = run(List.of("umount", "-l", dir.getAbsolutePath()));
            if (lazy.status != 0) {
                throw new IOException("cannot unmount " + dir + ": " + r.output + " / " + lazy.output);
            }
        }
    }

    private record Result(int status, String output) {}

    private static Result run(List<String> command) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException noTool) {
            return new Result(-1, noTool.toString());
        }
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return new Result(-1, String.join(" ", command) + " did not finish in 30 s");
        }
        return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim());
    }
}
