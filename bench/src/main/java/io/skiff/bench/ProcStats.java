package io.skiff.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads a process's resident memory and CPU time from Linux's {@code /proc}. Every method
 * answers -1 (or NaN) where {@code /proc} is missing or the process is gone. Thread-safe.
 */
public final class ProcStats {
    /** USER_HZ: the unit of utime and stime in /proc/PID/stat. 100 on every Linux we target. */
    private static final double CLOCK_TICKS_PER_SECOND = clockTicks();

    private ProcStats() {}

    /** VmRSS in bytes, or -1. */
    public static long rssBytes(long pid) {
        return statusKilobytes(pid, "VmRSS:") * 1024;
    }

    /** VmHWM (peak resident set) in bytes, or -1. */
    public static long peakRssBytes(long pid) {
        return statusKilobytes(pid, "VmHWM:") * 1024;
    }

    /** utime + stime in seconds, or NaN. */
    public static double cpuSeconds(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            // The command name (field 2) may hold spaces and parentheses: fields resume after the last ')'.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
            // f[0] is field 3 (state); utime is field 14, stime field 15.
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
            return ticks / CLOCK_TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    private static long statusKilobytes(long pid, String key) {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/" + pid + "/status"));
            for (String line : lines) {
                if (line.startsWith(key)) {
                    String[] f = line.substring(key.length()).trim().split("\\s+");
                    return Long.parseLong(f[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through
        }
        return -1;
    }

    private static double clockTicks() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK")
                    .redirectErrorStream(true)
                    .start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            if (p.waitFor() == 0) {
                return Double.parseDouble(out);
            }
        } catch (IOException | RuntimeException e) {
            // fall through
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 100;
    }
}
