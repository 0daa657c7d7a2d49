package io.skiff.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The standalone load runner: runs workloads against one broker that is already running.
 *
 * <pre>
 * LoadRunner --bootstrap HOST:PORT [--label NAME] [--broker-pid PID] [--rounds N] [--out FILE.jsonl]
 *            [--suite standard|quick|groups] [--workload "key=value ..."]...
 * </pre>
 *
 * Workload keys (defaults in brackets): name,
 * kind=produce|consume|e2e|group-form|group-leave|group-consume [produce],
 * record.size [1024], partitions [1], acks [1], idempotence [false], compression [none],
 * linger.ms [5], batch.size [16384], producers [1], consumers [1], duration.ms [6000],
 * warmup.ms [0], fill.ms [4000] (consume), rate (e2e, records/s), heartbeat.interval.ms and
 * session.timeout.ms (group kinds) [0: the client's defaults]. With {@code --broker-pid} the
 * broker's CPU time and RSS are read from /proc.
 */
public final class LoadRunner {
    private LoadRunner() {}

    public static void main(String[] args) throws Exception {
        String bootstrap = null;
        String label = "broker";
        long brokerPid = -1;
        int rounds = 1;
        Path outFile = null;
        List<Workload> workloads = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--bootstrap":
                    bootstrap = args[++i];
                    break;
                case "--label":
                    label = args[++i];
                    break;
                case "--broker-pid":
                    brokerPid = Long.parseLong(args[++i]);
                    break;
                case "--rounds":
                    rounds = Integer.parseInt(args[++i]);
                    break;
                case "--out":
                    outFile = Path.of(args[++i]);
                    break;
                case "--suite":
                    String s = args[++i];
                    workloads.addAll(
                            "quick".equals(s) ? Suite.quick() : "groups".equals(s) ? Suite.groups() : Suite.standard());
                    break;
                case "--workload":
                    workloads.add(Workload.parse(args[++i]));
                    break;
                default:
                    System.err.println("unknown argument " + a);
                    usage();
                    System.exit(2);
            }
        }
        if (bootstrap == null) {
            usage();
            System.exit(2);
        }
        if (workloads.isEmpty()) {
            workloads.add(Workload.parse("name=produce"));
        }
        ProcMonitor monitor = brokerPid > 0 ? new ProcMonitor(brokerPid) : null;
        List<RunResult> results = new ArrayList<>();
        try (Report report = new Report(System.out, outFile);
                LoadGenerator gen = new LoadGenerator(bootstrap, label)) {
            report.line("# Skiff load runner against " + bootstrap + " (" + label + "), " + rounds + " round(s)");
            for (int round = 1; round <= rounds; round++) {
                for (Workload w : workloads) {
                    RunResult r = gen.run(w, round, monitor);
                    results.add(r);
                    report.line(Report.progress(r));
                    report.json(r.toJson());
                }
            }
            report.line("");
            report.runTable(results);
        }
        boolean anyFailed = results.stream().anyMatch(r -> !r.ok);
        System.exit(anyFailed ? 1 : 0);
    }

    private static void usage() {
        System.err.println("usage: LoadRunner --bootstrap HOST:PORT [--label NAME] [--broker-pid PID] [--rounds N]"
                + " [--out FILE.jsonl] [--suite standard|quick|groups] [--workload \"key=value ...\"]...");
    }
}
