package io.skiff.compat;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.TopicPartition;

/**
 * Runs fuzzed requests ({@link ProtocolFuzzer}) against a broker process from several
 * connections at once, in batches; after each batch it checks that the process is alive, that
 * Netty's leak detector printed nothing ({@code LEAK:} in its output), that no handler failed
 * with an unexpected exception (an {@code ERROR} line with a stack trace), and that a normal
 * Metadata, Produce and Fetch still work ({@link BrokerHealth}); every {@code logCheckEvery}
 * batches it validates the health topic's rolled segments with {@link LogFilesCheck}. A failure
 * throws {@link AssertionError} with the campaign seed and, per connection, the seeds and bytes
 * of the last requests sent. Request {@code i} of a campaign with seed {@code S} has seed
 * {@link #requestSeed}{@code (S, i)}. Driven by one thread; the sender threads are its own.
 */
final class FuzzCampaign {
    private static final int HISTORY = 4;
    private static final Pattern UNEXPECTED = Pattern.compile("(?m)^.*(ERROR|Exception in thread|OutOfMemoryError).*$");

    private final SkiffProcess broker;
    private final Path logDir;
    private final ProtocolFuzzer fuzzer;
    private final long seed;
    private final int connections;
    private final AtomicLong answered = new AtomicLong();
    private final AtomicLong closed = new AtomicLong();
    private final AtomicLong silent = new AtomicLong();
    private final List<ArrayDeque<ProtocolFuzzer.Fuzzed>> history = new ArrayList<>();

    FuzzCampaign(SkiffProcess broker, Path logDir, ProtocolFuzzer fuzzer, long seed, int connections) {
        this.broker = broker;
        this.logDir = logDir;
        this.fuzzer = fuzzer;
        this.seed = seed;
        this.connections = connections;
        for (int i = 0; i < connections; i++) {
            history.add(new ArrayDeque<>());
        }
    }

    static long requestSeed(long campaignSeed, long index) {
        long z = campaignSeed + index * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Runs {@code requests} fuzzed requests; returns a one-line summary. */
    String run(long requests, int batchSize, int logCheckEvery) throws Exception {
        BrokerHealth health = new BrokerHealth(broker.port());
        LogFilesCheck logs = new LogFilesCheck(logDir, new TopicPartition(BrokerHealth.TOPIC, 0));
        ExecutorService pool = Executors.newFixedThreadPool(connections);
        long start = System.nanoTime();
        try {
            long batch = 0;
            for (long from = 0; from < requests; from += batchSize, batch++) {
                long to = Math.min(requests, from + batchSize);
                runBatch(pool, from, to);
                checkBroker(health, from, to);
                if (logCheckEvery > 0 && batch % logCheckEvery == logCheckEvery - 1) {
                    List<String> problems = logs.problems(Long.MAX_VALUE - 1);
                    if (!problems.isEmpty()) {
                        throw failure("log files invalid after requests " + from + ".." + to + ": " + problems);
                    }
                }
                if (batch % 50 == 49) {
                    System.out.println("fuzz: " + to + " requests, " + summary(start));
                }
            }
        } finally {
            pool.shutdownNow();
            pool.awaitTermination(30, TimeUnit.SECONDS);
        }
        return requests + " requests, " + summary(start);
    }

    private String summary(long start) {
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        return answered.get() + " answered, " + closed.get() + " closed by the broker, " + silent.get()
                + " unanswered or cut short, " + ms + " ms";
    }

    private void runBatch(ExecutorService pool, long from, long to) throws Exception {
        List<Future<?>> futures = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            int conn = c;
            futures.add(pool.submit(() -> {
                sendAll(conn, from, to);
                return null;
            }));
        }
        for (Future<?> f : futures) {
            try {
                f.get(10, TimeUnit.MINUTES);
            } catch (ExecutionException e) {
                throw failure("sender failed: " + e.getCause());
            }
        }
    }

    private void sendAll(int conn, long from, long to) throws IOException {
        Sender sender = new Sender(broker.port());
        try {
            for (long i = from + conn; i < to; i += connections) {
                ProtocolFuzzer.Fuzzed f = fuzzer.generate(requestSeed(seed, i));
                ArrayDeque<ProtocolFuzzer.Fuzzed> h = history.get(conn);
                synchronized (h) {
                    h.addLast(f);
                    if (h.size() > HISTORY) {
                        h.removeFirst();
                    }
                }
                sender.send(f);
            }
        } finally {
            sender.close();
        }
    }

    private void checkBroker(BrokerHealth health, long from, long to) throws Exception {
        if (!broker.isAlive()) {
            throw failure("the broker process died during requests " + from + ".." + to);
        }
        String out = broker.output();
        if (out.contains("LEAK:")) {
            throw failure("Netty reported a leak during requests " + from + ".." + to + ":\n" + tail(out, "LEAK:"));
        }
        Matcher m = UNEXPECTED.matcher(out);
        if (m.find()) {
            throw failure("the broker logged an unexpected error during requests " + from + ".." + to + ":\n"
                    + tail(out, m.group()));
        }
        try {
            health.check();
        } catch (Exception | AssertionError e) {
            throw failure("normal requests fail after requests " + from + ".." + to + ": " + e);
        }
    }

    private static String tail(String out, String from) {
        int at = out.indexOf(from);
        return out.substring(at, Math.min(out.length(), at + 4000));
    }

    private AssertionError failure(String what) {
        StringBuilder sb =
                new StringBuilder(what).append("\ncampaign seed ").append(seed).append("; last requests:");
        for (int c = 0; c < history.size(); c++) {
            synchronized (history.get(c)) {
                for (ProtocolFuzzer.Fuzzed f : history.get(c)) {
                    sb.append("\n  connection ").append(c).append(": ").append(f.describe());
                }
            }
        }
        return new AssertionError(sb.toString());
    }

    /** One fuzzing connection; reconnects after the broker closes it. Not thread-safe. */
    private final class Sender {
        private final int port;
        private Socket socket;
        private DataInputStream in;
        private OutputStream out;

        Sender(int port) {
            this.port = port;
        }

        void send(ProtocolFuzzer.Fuzzed f) throws IOException {
            if (socket == null) {
                socket = new Socket();
                socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
                socket.setSoTimeout(300);
                socket.setTcpNoDelay(true);
                in = new DataInputStream(socket.getInputStream());
                out = socket.getOutputStream();
            }
            try {
                out.write(f.frame());
                out.flush();
                if (f.closeAfter()) {
                    silent.incrementAndGet();
                    close();
                    return;
                }
                awaitAnswer(f.correlationId());
            } catch (SocketTimeoutException e) {
                silent.incrementAndGet();
                close();
            } catch (EOFException e) {
                closed.incrementAndGet();
                close();
            } catch (IOException e) {
                closed.incrementAndGet(); // reset or broken pipe: the broker closed first
                close();
            }
        }

        private void awaitAnswer(int correlationId) throws IOException {
            while (true) {
                int size = in.readInt();
                if (size < 4) {
                    throw new IllegalStateException("the broker sent a frame of size " + size);
                }
                int id = in.readInt();
                in.skipNBytes(size - 4);
                if (id == correlationId) {
                    answered.incrementAndGet();
                    return;
                }
            }
        }

        void close() {
            if (socket != null) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // closing a broken socket: nothing to do
                }
                socket = null;
            }
        }
    }
}
