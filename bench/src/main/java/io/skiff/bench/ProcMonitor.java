package io.skiff.bench;

/**
 * Watches one broker process through {@code /proc} during the measured part of each run: the CPU
 * seconds it used (utime + stime) and its highest RSS, sampled every 100 ms. Reusable run after
 * run; {@link #overallMaxRssBytes()} keeps the highest RSS seen in any run. Use from one thread.
 */
public final class ProcMonitor implements LoadGenerator.BrokerMonitor {
    private static final long SAMPLE_INTERVAL_MS = 100;

    private final long pid;
    private double cpuAtBegin;
    private volatile boolean sampling;
    private volatile long runMaxRss;
    private long overallMaxRss = -1;
    private Thread sampler;

    public ProcMonitor(long pid) {
        this.pid = pid;
    }

    @Override
    public void begin() {
        runMaxRss = ProcStats.rssBytes(pid);
        sampling = true;
        sampler = new Thread(
                () -> {
                    while (sampling) {
                        long rss = ProcStats.rssBytes(pid);
                        if (rss > runMaxRss) {
                            runMaxRss = rss;
                        }
                        try {
                            Thread.sleep(SAMPLE_INTERVAL_MS);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                },
                "bench-rss-sampler-" + pid);
        sampler.setDaemon(true);
        sampler.start();
        cpuAtBegin = ProcStats.cpuSeconds(pid);
    }

    @Override
    public void end(RunResult result) {
        result.brokerCpuSeconds = ProcStats.cpuSeconds(pid) - cpuAtBegin;
        sampling = false;
        sampler.interrupt();
        try {
            sampler.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        long rss = Math.max(runMaxRss, ProcStats.rssBytes(pid));
        result.brokerRssMaxBytes = rss;
        overallMaxRss = Math.max(overallMaxRss, rss);
    }

    /** The highest RSS sampled during any run so far, or -1. */
    public long overallMaxRssBytes() {
        return overallMaxRss;
    }
}
