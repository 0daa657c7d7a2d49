package io.skiff.bench;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.quota.ClientQuotaAlteration;
import org.apache.kafka.common.quota.ClientQuotaEntity;

/**
 * Side-by-side mode: starts Apache Kafka 4.3.1 and Skiff as child JVMs with the same heap, the
 * same JVM options and the same flush policy, runs every workload against both alternately for N
 * rounds, and prints per workload the medians and the Skiff/Kafka ratio, then per broker the
 * start-up time, RSS idle and under load, and CPU seconds per GB produced.
 *
 * <pre>
 * SideBySide [--quick] [--rounds N] [--heap 1g] [--heap-initial 256m] [--no-pin] [--brokers kafka,skiff]
 *            [--only NAME,NAME] [--workload "key=value ..."]... [--startup-repeats N]
 *            [--skiff-home DIR] [--out FILE.jsonl] [--keep] [--quota-side] [--metrics-side]
 * </pre>
 *
 * With {@code --quota-side} a second Skiff broker runs beside the first with client quotas set on
 * entities the load generator is not ({@link #OTHER_ENTITY_QUOTAS}); every workload that runs on
 * Skiff also runs on it, alternating, and the summary adds its row and its ratio to plain Skiff:
 * what checking quotas on every request costs when none applies to the client. {@code
 * --metrics-side} does the same with {@code skiff-metrics}, a Skiff with its metrics on
 * ({@link #METRICS_PROPS}: the Prometheus endpoint and the MBeans), for "metrics on versus off".
 *
 * A broker that cannot start, or cannot serve a workload, gets that workload reported as failed
 * with its error; the run goes on with the rest.
 */
public final class SideBySide {
    static final String KAFKA = "kafka";
    static final String SKIFF = "skiff";
    static final String SKIFF_FSYNC = "skiff-fsync";
    static final String SKIFF_QUOTA = "skiff-quota";
    static final String SKIFF_METRICS = "skiff-metrics";
    /** The configuration of the {@code --metrics-side} broker: every meter recorded and exported. */
    static final Map<String, String> METRICS_PROPS =
            Map.of("skiff.metrics.listener", "http://127.0.0.1:0", "skiff.metrics.jmx.enable", "true");
    /** The quotas of the {@code --quota-side} broker: on a user and a client id the load generator never uses. */
    static final Map<String, String> OTHER_ENTITY_QUOTAS = Map.of(
            "producer_byte_rate", "1048576",
            "consumer_byte_rate", "1048576",
            "request_percentage", "10");

    /** One broker under test, or the error that kept it from starting. */
    private static final class Side {
        final String label;
        BrokerProcess process;
        LoadGenerator generator;
        String startError;
        final List<Long> startupNanos = new ArrayList<>();
        long formatNanos;
        long rssIdleBytes = -1;
        double idleCpuShare = Double.NaN;

        Side(String label) {
            this.label = label;
        }

        boolean up() {
            return process != null && startError == null;
        }
    }

    private final Options opt;
    private final Report report;
    private final Path workDir;
    private final BrokerProcess.Launch launch;
    private final Map<String, Side> sides = new LinkedHashMap<>();
    private final List<RunResult> results = new ArrayList<>();

    private SideBySide(Options opt, Report report, Path workDir, BrokerProcess.Launch launch) {
        this.opt = opt;
        this.report = report;
        this.workDir = workDir;
        this.launch = launch;
    }

    public static void main(String[] args) throws Exception {
        Options opt = Options.parse(args);
        long started = System.nanoTime();
        Path home = opt.skiffHome != null ? opt.skiffHome : locateSkiffHome();
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path out =
                opt.out != null ? opt.out : home.resolve("bench/target/bench-results/side-by-side-" + stamp + ".jsonl");
        Path work = Files.createTempDirectory("skiff-bench-");

        int cpus = Runtime.getRuntime().availableProcessors();
        String pinning = pin();
        List<String> cpuPrefix = pinning.startsWith("on") ? List.of("taskset", "-c", "0") : List.of();
        List<String> jvm = List.of(
                "-Xms" + opt.heapInitial,
                "-Xmx" + opt.heap,
                "-XX:+UseG1GC",
                "-XX:MaxGCPauseMillis=20",
                "-XX:InitiatingHeapOccupancyPercent=35",
                "-XX:+ExplicitGCInvokesConcurrent",
                "-Djava.awt.headless=true");
        BrokerProcess.Launch launch = new BrokerProcess.Launch(jvm, cpuPrefix, Map.of());

        int exit;
        try (Report report = new Report(System.out, out)) {
            SideBySide run = new SideBySide(opt, report, work, launch);
            report.line("# Skiff side-by-side, " + stamp);
            report.line("# machine: " + cpus + " CPUs, " + memTotal() + " memory; " + System.getProperty("os.name")
                    + " " + System.getProperty("os.version"));
            report.line(
                    "# JVM: " + System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
            report.line("# pinning: " + pinning);
            report.line("# load average at start (other work on the machine skews figures): " + loadAverage());
            report.line("# broker JVM options (both): " + String.join(" ", jvm));
            report.line("# flush policy (both): Apache Kafka's default (no log.flush.* set; the page cache decides);"
                    + " workload h runs Skiff with skiff.log.durability=fsync");
            report.line("# Skiff from " + home.resolve("broker/target")
                    + "; Apache Kafka 4.3.1 from bench's classpath; work dir " + work);
            report.line("# results file: " + out);
            report.json(new Json()
                    .put("type", "environment")
                    .put("date", stamp)
                    .put("pinning", pinning)
                    .put("jvm", System.getProperty("java.runtime.version"))
                    .put("load_average_start", loadAverage())
                    .put("cpus", cpus)
                    .put("memory", memTotal())
                    .put("broker_jvm_options", String.join(" ", jvm))
                    .put("rounds", opt.rounds)
                    .put("quick", opt.quick));
            exit = run.execute(home);
            report.line("# load average at end: " + loadAverage());
            report.line(String.format(Locale.ROOT, "# done in %.0f s", (System.nanoTime() - started) / 1e9));
        } finally {
            if (!opt.keep) {
                deleteTree(work);
            }
        }
        System.exit(exit);
    }

    private int execute(Path home) throws Exception {
        List<Workload> workloads = opt.workloads();
        boolean wantKafka = opt.brokers.contains(KAFKA);
        boolean wantSkiff = opt.brokers.contains(SKIFF);
        boolean wantFsync = wantSkiff && workloads.stream().anyMatch(w -> w.skiffMode == Workload.SkiffMode.FSYNC);
        List<String> labels = new ArrayList<>();
        if (wantKafka) {
            labels.add(KAFKA);
        }
        if (wantSkiff) {
            labels.add(SKIFF);
        }
        if (wantFsync) {
            labels.add(SKIFF_FSYNC);
        }
        if (wantSkiff && opt.quotaSide) {
            labels.add(SKIFF_QUOTA);
        }
        if (wantSkiff && opt.metricsSide) {
            labels.add(SKIFF_METRICS);
        }
        for (String label : labels) {
            sides.put(label, new Side(label));
        }
        try {
            // Start-up: alternate the brokers; every start but the last is stopped again.
            for (int i = 0; i < opt.startupRepeats; i++) {
                boolean last = i == opt.startupRepeats - 1;
                for (String label : labels) {
                    Side side = sides.get(label);
                    if (side.startError != null
                            || (!last
                                    && (label.equals(SKIFF_FSYNC)
                                            || label.equals(SKIFF_QUOTA)
                                            || label.equals(SKIFF_METRICS)))) {
                        continue;
                    }
                    start(side, home, i);
                    if (!last && side.process != null) {
                        side.process.close();
                        side.process = null;
                    }
                }
            }
            measureIdle();
            printStartup();

            List<Workload> warmups = new ArrayList<>(Suite.warmups(opt.quick));
            if (workloads.stream().anyMatch(w -> w.kind.group())) {
                warmups.addAll(Suite.groupWarmups());
            }
            for (Side side : sides.values()) {
                for (Workload warmup : warmups) {
                    if (side.up()) {
                        RunResult r = side.generator.run(warmup, 0, null);
                        report.line("# warm-up " + side.label + " " + warmup.name + ": "
                                + (r.ok ? "ok" : "FAILED: " + r.error));
                    }
                }
            }

            for (int round = 1; round <= opt.rounds; round++) {
                for (Workload w : workloads) {
                    String skiffLabel = w.skiffMode == Workload.SkiffMode.FSYNC ? SKIFF_FSYNC : SKIFF;
                    List<String> order = new ArrayList<>();
                    if (wantKafka) {
                        order.add(KAFKA);
                    }
                    if (wantSkiff) {
                        order.add(skiffLabel);
                        if (opt.quotaSide && skiffLabel.equals(SKIFF)) {
                            order.add(SKIFF_QUOTA);
                        }
                        if (opt.metricsSide && skiffLabel.equals(SKIFF)) {
                            order.add(SKIFF_METRICS);
                        }
                    }
                    // A B in odd rounds, B A in even ones: neither broker always runs second.
                    if (round % 2 == 0) {
                        Collections.reverse(order);
                    }
                    for (String label : order) {
                        RunResult r = runOne(sides.get(label), w, round);
                        results.add(r);
                        report.line(Report.progress(r));
                        report.json(r.toJson());
                    }
                }
            }
            report.line("");
            printSummary(workloads, wantKafka, wantSkiff);
            printResources();
        } finally {
            for (Side side : sides.values()) {
                if (side.generator != null) {
                    side.generator.close();
                }
                if (side.process != null) {
                    side.process.close();
                }
            }
        }
        return results.stream().allMatch(r -> r.ok) ? 0 : 1;
    }

    /** Idle: a pause with no client connected; CPU over the pause, RSS at its end. */
    private void measureIdle() throws InterruptedException {
        Map<Side, Double> cpuBefore = new LinkedHashMap<>();
        for (Side side : sides.values()) {
            if (side.up()) {
                cpuBefore.put(side, ProcStats.cpuSeconds(side.process.pid()));
            }
        }
        long idleNanos = TimeUnit.MILLISECONDS.toNanos(opt.quick ? 3000 : 5000);
        long idleStart = System.nanoTime();
        Thread.sleep(TimeUnit.NANOSECONDS.toMillis(idleNanos));
        long idleElapsed = System.nanoTime() - idleStart;
        for (Side side : sides.values()) {
            if (side.up()) {
                side.idleCpuShare =
                        (ProcStats.cpuSeconds(side.process.pid()) - cpuBefore.get(side)) * 1e9 / idleElapsed;
                side.rssIdleBytes = ProcStats.rssBytes(side.process.pid());
                side.generator = new LoadGenerator(side.process.bootstrap(), side.label);
            }
        }
    }

    private void start(Side side, Path home, int attempt) {
        Path dir = workDir.resolve(side.label + "-" + attempt);
        try {
            BrokerProcess p;
            if (side.label.equals(KAFKA)) {
                p = BrokerProcess.startKafka(side.label, dir, launch);
            } else {
                Map<String, String> skiffProps = side.label.equals(SKIFF_FSYNC)
                        ? Map.of("skiff.log.durability", "fsync")
                        : side.label.equals(SKIFF_METRICS) ? METRICS_PROPS : Map.of();
                p = BrokerProcess.startSkiff(side.label, home, dir, launch, skiffProps);
                if (side.label.equals(SKIFF_QUOTA)) {
                    setOtherEntityQuotas(p.bootstrap());
                }
            }
            side.process = p;
            side.startupNanos.add(p.startupNanos);
            side.formatNanos = p.formatNanos;
            report.line(String.format(
                    Locale.ROOT,
                    "# started %s (pid %d, %s) in %.0f ms",
                    side.label,
                    p.pid(),
                    p.bootstrap(),
                    p.startupNanos / 1e6));
        } catch (IOException | RuntimeException e) {
            side.startError = e.getMessage();
            report.line("# " + side.label + " did not start: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            side.startError = "interrupted";
        }
    }

    /** Sets {@link #OTHER_ENTITY_QUOTAS} on user "bench-other", client id "bench-other" and their pair. */
    private void setOtherEntityQuotas(String bootstrap) throws IOException {
        List<ClientQuotaAlteration.Op> ops = new ArrayList<>();
        OTHER_ENTITY_QUOTAS.forEach((k, v) -> ops.add(new ClientQuotaAlteration.Op(k, Double.parseDouble(v))));
        List<ClientQuotaAlteration> alterations = List.of(
                new ClientQuotaAlteration(new ClientQuotaEntity(Map.of(ClientQuotaEntity.USER, "bench-other")), ops),
                new ClientQuotaAlteration(
                        new ClientQuotaEntity(Map.of(ClientQuotaEntity.CLIENT_ID, "bench-other")), ops),
                new ClientQuotaAlteration(
                        new ClientQuotaEntity(Map.of(
                                ClientQuotaEntity.USER, "bench-other", ClientQuotaEntity.CLIENT_ID, "bench-other")),
                        ops));
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(props)) {
            admin.alterClientQuotas(alterations).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("cannot set the client quotas of " + SKIFF_QUOTA + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while setting client quotas", e);
        }
        report.line("# " + SKIFF_QUOTA + ": client quotas " + OTHER_ENTITY_QUOTAS
                + " on user bench-other, client id bench-other and the pair (not the load generator)");
    }

    private RunResult runOne(Side side, Workload w, int round) {
        if (!side.up()) {
            RunResult r = new RunResult(w, side.label, round);
            r.fail(side.label + " is not running: "
                    + (side.startError != null ? side.startError : "it exited earlier"));
            return r;
        }
        RunResult r = side.generator.run(w, round, side.process.monitor());
        Integer exit = side.process.exitStatus();
        if (exit != null) {
            r.fail(side.label + " exited with status " + exit + " during the run; log tail:\n"
                    + side.process.logTail());
            side.startError = "exited with status " + exit;
        }
        return r;
    }

    private void printStartup() {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {
            "broker",
            "pid",
            "start-up ms (median)",
            "starts",
            "all starts ms",
            "kafka storage format ms",
            "RSS idle MB",
            "idle cpu core"
        });
        for (Side s : sides.values()) {
            String all = s.startupNanos.stream()
                    .map(n -> String.format(Locale.ROOT, "%.0f", n / 1e6))
                    .collect(Collectors.joining(" "));
            rows.add(new String[] {
                s.label,
                s.up() ? Long.toString(s.process.pid()) : "-",
                Report.fixed(medianMs(s.startupNanos), 0),
                Integer.toString(s.startupNanos.size()),
                all.isEmpty() ? "-" : all,
                s.label.equals(KAFKA) && s.formatNanos > 0 ? Report.fixed(s.formatNanos / 1e6, 0) : "-",
                s.rssIdleBytes > 0 ? Report.fixed(s.rssIdleBytes / 1048576.0, 0) : "-",
                Report.fixed(s.idleCpuShare, 3)
            });
            if (s.startError != null) {
                report.line("# " + s.label + " start error: " + s.startError);
            }
        }
        report.table(rows);
        report.line("# start-up: from process start to the first Metadata answer naming a broker;"
                + " Kafka's one-time storage format (a separate JVM) is not included and shown apart");
    }

    private void printSummary(List<Workload> workloads, boolean wantKafka, boolean wantSkiff) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {
            "workload",
            "broker",
            "ok",
            "rec/s",
            "MB/s",
            "lat",
            "p50 ms",
            "p99 ms",
            "p99.9 ms",
            "max ms",
            "cpu s/GB",
            "RSS max MB",
            "broker core",
            "gen core",
            "group ms"
        });
        List<String> failures = new ArrayList<>();
        for (Workload w : workloads) {
            String skiffLabel = w.skiffMode == Workload.SkiffMode.FSYNC ? SKIFF_FSYNC : SKIFF;
            List<RunResult> kafka = runs(w, KAFKA);
            List<RunResult> skiff = runs(w, skiffLabel);
            String lat = w.kind == Workload.Kind.E2E
                    ? "e2e"
                    : w.kind == Workload.Kind.PRODUCE ? (w.recordsPerTxn > 0 ? "commit" : "ack") : "-";
            Map<String, ToDoubleFunction<RunResult>> metrics = new LinkedHashMap<>();
            metrics.put("records_per_s", RunResult::recordsPerSecond);
            metrics.put("mb_per_s", RunResult::megabytesPerSecond);
            metrics.put("p50_ms", r -> r.latencyMs(50));
            metrics.put("p99_ms", r -> r.latencyMs(99));
            metrics.put("p999_ms", r -> r.latencyMs(99.9));
            metrics.put("max_ms", r -> r.latencyMs(100));
            metrics.put("cpu_s_per_gb", RunResult::brokerCpuSecondsPerGigabyte);
            metrics.put("rss_max_mb", r -> r.brokerRssMaxBytes >= 0 ? r.brokerRssMaxBytes / 1048576.0 : Double.NaN);
            metrics.put("broker_cpu_share", RunResult::brokerCpuShare);
            metrics.put("loadgen_cpu_share", RunResult::loadGeneratorCpuShare);
            metrics.put("settle_ms", r -> r.settleMs);
            Json json = new Json()
                    .put("type", "summary")
                    .put("workload", w.name)
                    .put("description", w.description)
                    .put("params", w.parameters())
                    .put("skiff_broker", skiffLabel)
                    .put("kafka_ok_runs", okCount(kafka))
                    .put("skiff_ok_runs", okCount(skiff))
                    .put("rounds", opt.rounds);
            double[] k = new double[metrics.size()];
            double[] s = new double[metrics.size()];
            int i = 0;
            for (Map.Entry<String, ToDoubleFunction<RunResult>> m : metrics.entrySet()) {
                k[i] = Report.median(kafka, m.getValue());
                s[i] = Report.median(skiff, m.getValue());
                json.put("kafka_" + m.getKey(), k[i])
                        .put("skiff_" + m.getKey(), s[i])
                        .put("ratio_" + m.getKey(), Report.ratio(s[i], k[i]));
                i++;
            }
            if (wantKafka) {
                rows.add(row(w.name, KAFKA, kafka, lat, k, false));
            }
            if (wantSkiff) {
                rows.add(row(wantKafka ? "" : w.name, skiffLabel, skiff, lat, s, false));
            }
            if (wantKafka && wantSkiff) {
                double[] ratio = new double[k.length];
                for (int j = 0; j < k.length; j++) {
                    ratio[j] = Report.ratio(s[j], k[j]);
                }
                rows.add(row("", "skiff/kafka", null, "", ratio, true));
            }
            if (wantSkiff && skiffLabel.equals(SKIFF)) {
                addSides(w, metrics, s, lat, json, rows, failures);
            }
            addFailures(failures, w, kafka);
            addFailures(failures, w, skiff);
            report.json(json);
        }
        report.line("");
        report.line("# medians over the successful rounds; lat = send-to-ack (produce), commit round trip after flush"
                + " (transactional produce) or scheduled-send-to-consume (e2e);"
                + " MB = 10^6 payload bytes; cpu s/GB = broker CPU seconds per 10^9 payload bytes moved in the run");
        report.line(
                "# broker core / gen core: CPU seconds per second of the measured window used by the broker / by the load"
                        + " generator (1.00 = one core busy; near 1 with pinning means that side was the limit)");
        report.line("# group ms: group-form and group-consume: from the consumers' first poll until every member holds"
                + " its partitions in one shared generation; group-leave: from one member's close until the others do");
        report.line(
                "# skiff/kafka: above 1 is better for rec/s and MB/s; below 1 is better for latency, CPU, RSS and group ms");
        report.table(rows);
        if (!failures.isEmpty()) {
            report.line("");
            report.line("# failed runs (no figures are reported for them):");
            for (String f : failures) {
                report.line("#   " + f.replace('\n', ' '));
            }
        }
    }

    /** The rows of the side brokers asked for ({@code --quota-side}, {@code --metrics-side}). */
    private void addSides(
            Workload w,
            Map<String, ToDoubleFunction<RunResult>> metrics,
            double[] s,
            String lat,
            Json json,
            List<String[]> rows,
            List<String> failures) {
        if (opt.quotaSide) {
            addSide(SKIFF_QUOTA, "quota", w, metrics, s, lat, json, rows, failures);
        }
        if (opt.metricsSide) {
            addSide(SKIFF_METRICS, "metrics", w, metrics, s, lat, json, rows, failures);
        }
    }

    /**
     * A side broker's row for {@code w} ({@code --quota-side}, {@code --metrics-side}) and its ratio
     * to plain Skiff's medians {@code s}; {@code key} names its JSON fields and its ratio row.
     */
    private void addSide(
            String label,
            String key,
            Workload w,
            Map<String, ToDoubleFunction<RunResult>> metrics,
            double[] s,
            String lat,
            Json json,
            List<String[]> rows,
            List<String> failures) {
        List<RunResult> side = runs(w, label);
        double[] q = new double[metrics.size()];
        double[] ratio = new double[metrics.size()];
        int j = 0;
        for (Map.Entry<String, ToDoubleFunction<RunResult>> m : metrics.entrySet()) {
            q[j] = Report.median(side, m.getValue());
            ratio[j] = Report.ratio(q[j], s[j]);
            json.put("skiff_" + key + "_" + m.getKey(), q[j]).put("ratio_" + key + "_" + m.getKey(), ratio[j]);
            j++;
        }
        rows.add(row("", label, side, lat, q, false));
        rows.add(row("", key + "/skiff", null, "", ratio, true));
        addFailures(failures, w, side);
    }

    private static void addFailures(List<String> failures, Workload w, List<RunResult> runs) {
        for (RunResult r : runs) {
            if (!r.ok) {
                failures.add(w.name + " " + r.broker + " r" + r.round + ": " + r.error);
            }
        }
    }

    private String[] row(String name, String broker, List<RunResult> runs, String lat, double[] v, boolean ratio) {
        String[] row = new String[15];
        row[0] = name;
        row[1] = broker;
        row[2] = runs == null ? "" : okCount(runs) + "/" + runs.size();
        row[5] = lat;
        if (ratio) {
            row[3] = Report.times(v[0]);
            row[4] = Report.times(v[1]);
            for (int j = 2; j < 10; j++) {
                row[j + 4] = Report.times(v[j]);
            }
            row[14] = Report.times(v[10]);
        } else {
            row[3] = Report.count(v[0]);
            row[4] = Report.fixed(v[1], 1);
            for (int j = 2; j < 6; j++) {
                row[j + 4] = Report.fixed(v[j], 2);
            }
            row[10] = Report.fixed(v[6], 2);
            row[11] = Report.fixed(v[7], 0);
            row[12] = Report.fixed(v[8], 2);
            row[13] = Report.fixed(v[9], 2);
            row[14] = Report.fixed(v[10], 0);
        }
        return row;
    }

    private void printResources() {
        report.line("");
        List<String[]> rows = new ArrayList<>();
        rows.add(
                new String[] {"broker", "start-up ms", "RSS idle MB", "RSS under load MB (max)", "cpu s per GB produced"
                });
        Map<String, double[]> figures = new LinkedHashMap<>();
        for (Side s : sides.values()) {
            double startupMs = medianMs(s.startupNanos);
            double idleMb = s.rssIdleBytes > 0 ? s.rssIdleBytes / 1048576.0 : Double.NaN;
            long maxRss = s.process != null ? s.process.monitor().overallMaxRssBytes() : -1;
            double loadMb = maxRss > 0 && results.stream().anyMatch(r -> r.ok && r.broker.equals(s.label))
                    ? maxRss / 1048576.0
                    : Double.NaN;
            double cpuPerGb = cpuPerGbProduced(s.label);
            figures.put(s.label, new double[] {startupMs, idleMb, loadMb, cpuPerGb});
            rows.add(new String[] {
                s.label,
                Report.fixed(startupMs, 0),
                Report.fixed(idleMb, 0),
                Report.fixed(loadMb, 0),
                Report.fixed(cpuPerGb, 2)
            });
            report.json(new Json()
                    .put("type", "broker")
                    .put("broker", s.label)
                    .put("startup_ms", startupMs)
                    .put("startup_runs", s.startupNanos.size())
                    .put(
                            "kafka_format_ms",
                            s.label.equals(KAFKA) && s.formatNanos > 0 ? s.formatNanos / 1e6 : Double.NaN)
                    .put("rss_idle_mb", idleMb)
                    .put("idle_cpu_share", s.idleCpuShare)
                    .put("rss_load_max_mb", loadMb)
                    .put("cpu_s_per_gb_produced", cpuPerGb)
                    .put("start_error", s.startError));
        }
        double[] k = figures.get(KAFKA);
        double[] s = figures.get(SKIFF);
        if (k != null && s != null) {
            rows.add(new String[] {
                "skiff/kafka",
                Report.times(Report.ratio(s[0], k[0])),
                Report.times(Report.ratio(s[1], k[1])),
                Report.times(Report.ratio(s[2], k[2])),
                Report.times(Report.ratio(s[3], k[3]))
            });
        }
        report.line(
                "# per broker: RSS from /proc/PID/status (VmRSS), idle = after start-up and a pause, before any load;"
                        + " under load = highest sample (every 100 ms) during any run; cpu = utime+stime from /proc/PID/stat"
                        + " over the produce runs / their payload GB (10^9 bytes)");
        report.table(rows);
    }

    private double cpuPerGbProduced(String label) {
        double cpu = 0;
        long bytes = 0;
        for (RunResult r : results) {
            if (r.ok
                    && r.broker.equals(label)
                    && r.workload.kind == Workload.Kind.PRODUCE
                    && !Double.isNaN(r.brokerCpuSeconds)) {
                cpu += r.brokerCpuSeconds;
                bytes += r.payloadBytes;
            }
        }
        return bytes > 0 ? cpu * 1e9 / bytes : Double.NaN;
    }

    private List<RunResult> runs(Workload w, String label) {
        return results.stream()
                .filter(r -> r.workload == w && r.broker.equals(label))
                .collect(Collectors.toList());
    }

    private static int okCount(List<RunResult> runs) {
        return (int) runs.stream().filter(r -> r.ok).count();
    }

    private static double medianMs(List<Long> nanos) {
        if (nanos.isEmpty()) {
            return Double.NaN;
        }
        List<Long> sorted = new ArrayList<>(nanos);
        sorted.sort(Comparator.naturalOrder());
        int n = sorted.size();
        double m = n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2.0;
        return m / 1e6;
    }

    /**
     * Pins this JVM (the load generator) to CPU 1 with taskset, so that brokers can be started on
     * CPU 0. Answers "on: ..." if that worked, "off: reason" otherwise.
     */
    private static String pin() {
        if (Boolean.getBoolean("skiff.bench.noPin") || System.getenv().containsKey("SKIFF_BENCH_NO_PIN")) {
            return "off: disabled by --no-pin";
        }
        int cpus = Runtime.getRuntime().availableProcessors();
        if (cpus < 2) {
            return "off: only " + cpus + " CPU visible";
        }
        try {
            if (run("taskset", "-c", "0", "true") != 0) {
                return "off: taskset does not work here";
            }
            long self = ProcessHandle.current().pid();
            if (run("taskset", "-a", "-p", "-c", "1", Long.toString(self)) != 0) {
                return "off: could not pin the load generator with taskset";
            }
            return "on: brokers on CPU 0 (taskset -c 0), load generator (this JVM, all threads) on CPU 1";
        } catch (IOException e) {
            return "off: taskset not available (" + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "off: interrupted";
        }
    }

    private static int run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }

    private static String memTotal() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    long kb = Long.parseLong(line.replaceAll("[^0-9]", ""));
                    return String.format(Locale.ROOT, "%.1f GiB", kb / 1048576.0);
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through
        }
        return "unknown";
    }

    /** The 1, 5 and 15-minute load averages from /proc/loadavg. */
    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    /** The repository root: the folder that holds bench/, found from where this class was loaded. */
    static Path locateSkiffHome() throws URISyntaxException {
        String prop = System.getProperty("skiff.home");
        if (prop != null) {
            return Path.of(prop).toAbsolutePath();
        }
        Path p = Path.of(SideBySide.class
                        .getProtectionDomain()
                        .getCodeSource()
                        .getLocation()
                        .toURI())
                .toAbsolutePath();
        for (Path d = p; d != null; d = d.getParent()) {
            if (Files.isDirectory(d.resolve("broker")) && Files.isDirectory(d.resolve("bench"))) {
                return d;
            }
        }
        return Path.of("").toAbsolutePath();
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(f -> {
                try {
                    Files.deleteIfExists(f);
                } catch (IOException e) {
                    // best effort
                }
            });
        } catch (IOException e) {
            // best effort
        }
    }

    /** Command-line options. */
    static final class Options {
        boolean quick;
        int rounds = -1;
        String heap = "1g";
        /** Not the maximum: with -Xms equal to -Xmx, G1 cycles through the whole heap and both RSS figures converge on it. */
        String heapInitial = "256m";

        List<String> brokers = List.of(KAFKA, SKIFF);
        List<String> only = List.of();
        List<Workload> custom = new ArrayList<>();
        int startupRepeats = -1;
        Path skiffHome;
        Path out;
        boolean keep;
        boolean quotaSide;
        boolean metricsSide;

        static Options parse(String[] args) {
            Options o = new Options();
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--quick":
                        o.quick = true;
                        break;
                    case "--rounds":
                        o.rounds = Integer.parseInt(args[++i]);
                        break;
                    case "--heap":
                        o.heap = args[++i];
                        break;
                    case "--heap-initial":
                        o.heapInitial = args[++i];
                        break;
                    case "--no-pin":
                        System.setProperty("skiff.bench.noPin", "true");
                        break;
                    case "--brokers":
                        o.brokers = List.of(args[++i].split(","));
                        break;
                    case "--only":
                        o.only = List.of(args[++i].split(","));
                        break;
                    case "--workload":
                        o.custom.add(Workload.parse(args[++i]));
                        break;
                    case "--startup-repeats":
                        o.startupRepeats = Integer.parseInt(args[++i]);
                        break;
                    case "--skiff-home":
                        o.skiffHome = Path.of(args[++i]).toAbsolutePath();
                        break;
                    case "--out":
                        o.out = Path.of(args[++i]).toAbsolutePath();
                        break;
                    case "--keep":
                        o.keep = true;
                        break;
                    case "--quota-side":
                        o.quotaSide = true;
                        break;
                    case "--metrics-side":
                        o.metricsSide = true;
                        break;
                    default:
                        System.err.println("unknown argument " + args[i]);
                        System.err.println(
                                "usage: SideBySide [--quick] [--rounds N] [--heap 1g] [--heap-initial 256m] [--no-pin] [--brokers kafka,skiff]"
                                        + " [--only NAME,...] [--workload \"key=value ...\"]... [--startup-repeats N] [--skiff-home DIR]"
                                        + " [--out FILE.jsonl] [--keep] [--quota-side] [--metrics-side]");
                        System.exit(2);
                }
            }
            for (String b : o.brokers) {
                if (!b.equals(KAFKA) && !b.equals(SKIFF)) {
                    throw new IllegalArgumentException("--brokers takes kafka and/or skiff, not " + b);
                }
            }
            if (o.rounds < 0) {
                o.rounds = o.quick ? 1 : 3;
            }
            if (o.startupRepeats < 0) {
                o.startupRepeats = o.quick ? 1 : 3;
            }
            return o;
        }

        List<Workload> workloads() {
            List<Workload> base = !custom.isEmpty() ? custom : quick ? Suite.quick() : Suite.standard();
            if (only.isEmpty()) {
                return base;
            }
            if (custom.isEmpty() && !quick) {
                base = Suite.all();
            }
            List<Workload> picked =
                    base.stream().filter(w -> only.contains(w.name)).collect(Collectors.toList());
            if (picked.isEmpty()) {
                throw new IllegalArgumentException("--only matched no workload; names: "
                        + base.stream().map(w -> w.name).collect(Collectors.joining(",")));
            }
            return picked;
        }
    }
}
