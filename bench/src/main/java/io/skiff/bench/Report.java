package io.skiff.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * Printing: progress lines, machine-readable JSON lines (also appended to a results file), text
 * tables, medians and ratios. A figure that was not measured prints as "-", never as a number.
 * Not thread-safe.
 */
public final class Report implements AutoCloseable {
    private final PrintStream out;
    private final Writer jsonFile;

    public Report(PrintStream out, Path jsonPath) throws IOException {
        this.out = out;
        if (jsonPath != null) {
            Files.createDirectories(jsonPath.toAbsolutePath().getParent());
            this.jsonFile = Files.newBufferedWriter(
                    jsonPath, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } else {
            this.jsonFile = null;
        }
    }

    public void line(String s) {
        out.println(s);
        out.flush();
    }

    /** Prints a JSON line on the console and appends it to the results file. */
    public void json(Json j) {
        String s = j.toString();
        out.println(s);
        out.flush();
        if (jsonFile != null) {
            try {
                jsonFile.write(s);
                jsonFile.write('\n');
                jsonFile.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    public static String progress(RunResult r) {
        String head = String.format(Locale.ROOT, "# r%d %-20s %-12s ", r.round, r.workload.name, r.broker);
        if (!r.ok) {
            return head + "FAILED: " + r.error;
        }
        String kind = r.latencyKind();
        String lat = kind.equals("none") ? null : kind.equals("send_to_ack") ? "ack" : kind;
        String latency = lat == null
                ? ""
                : String.format(
                        Locale.ROOT,
                        "  %s p50 %s ms  p99 %s ms  p99.9 %s ms  max %s ms",
                        lat,
                        fixed(r.latencyMs(50), 2),
                        fixed(r.latencyMs(99), 2),
                        fixed(r.latencyMs(99.9), 2),
                        fixed(r.latencyMs(100), 2));
        String settle = Double.isNaN(r.settleMs)
                ? ""
                : String.format(
                        Locale.ROOT,
                        "  %s %s ms (generation %d)",
                        r.workload.kind == Workload.Kind.GROUP_LEAVE ? "settled in" : "formed in",
                        fixed(r.settleMs, 0),
                        r.groupGeneration);
        return head
                + String.format(
                        Locale.ROOT,
                        "%s rec/s  %s MB/s%s%s  broker cpu %s s/GB (%s core)  generator %s core",
                        count(r.recordsPerSecond()),
                        fixed(r.megabytesPerSecond(), 1),
                        latency,
                        settle,
                        fixed(r.brokerCpuSecondsPerGigabyte(), 2),
                        fixed(r.brokerCpuShare(), 2),
                        fixed(r.loadGeneratorCpuShare(), 2));
    }

    /** The median of the non-NaN values, or NaN if there is none. */
    public static double median(List<RunResult> runs, ToDoubleFunction<RunResult> f) {
        double[] v = runs.stream()
                .filter(r -> r.ok)
                .mapToDouble(f)
                .filter(d -> !Double.isNaN(d))
                .sorted()
                .toArray();
        if (v.length == 0) {
            return Double.NaN;
        }
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    public static double ratio(double skiff, double kafka) {
        return Double.isNaN(skiff) || Double.isNaN(kafka) || kafka == 0 ? Double.NaN : skiff / kafka;
    }

    public static String count(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%,.0f", v);
    }

    public static String fixed(double v, int decimals) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    public static String times(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.2fx", v);
    }

    /** Prints rows as a left-aligned table; the first row is the header. */
    public void table(List<String[]> rows) {
        int cols = rows.stream().mapToInt(r -> r.length).max().orElse(0);
        int[] width = new int[cols];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                width[i] = Math.max(width[i], row[i].length());
            }
        }
        for (int n = 0; n < rows.size(); n++) {
            String[] row = rows.get(n);
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                sb.append(String.format("%-" + (width[i] + 2) + "s", row[i]));
            }
            out.println(sb.toString().stripTrailing());
            if (n == 0) {
                char[] rule = new char[Arrays.stream(width).sum() + 2 * cols - 2];
                Arrays.fill(rule, '-');
                out.println(new String(rule));
            }
        }
        out.flush();
    }

    /** One table row per run, for the standalone runner. */
    public void runTable(List<RunResult> runs) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {
            "workload",
            "broker",
            "round",
            "rec/s",
            "MB/s",
            "lat",
            "p50 ms",
            "p99 ms",
            "p99.9 ms",
            "max ms",
            "cpu s/GB",
            "group ms",
            "error"
        });
        for (RunResult r : runs) {
            rows.add(new String[] {
                r.workload.name,
                r.broker,
                Integer.toString(r.round),
                count(r.recordsPerSecond()),
                fixed(r.megabytesPerSecond(), 1),
                r.e2eLatencyMicros != null ? "e2e" : r.ackLatencyMicros != null ? "ack" : "-",
                fixed(r.latencyMs(50), 2),
                fixed(r.latencyMs(99), 2),
                fixed(r.latencyMs(99.9), 2),
                fixed(r.latencyMs(100), 2),
                fixed(r.brokerCpuSecondsPerGigabyte(), 2),
                r.ok ? fixed(r.settleMs, 0) : "-",
                r.ok ? "" : shorten(r.error, 70)
            });
        }
        table(rows);
    }

    static String shorten(String s, int max) {
        if (s == null) {
            return "";
        }
        return s.length() <= max ? s : s.substring(0, max - 3) + "...";
    }

    @Override
    public void close() throws IOException {
        if (jsonFile != null) {
            jsonFile.close();
        }
    }
}
