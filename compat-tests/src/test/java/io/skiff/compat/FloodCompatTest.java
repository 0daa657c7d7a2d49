package io.skiff.compat;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.MessageUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Floods a broker process (256 MB heap) with connections that misbehave while a normal producer
 * and consumer keep working: thousands of idle connections, connections that promise a 100 MB
 * frame and send nothing more, and connections that send requests without ever reading the
 * answers. The broker's resident memory, sampled from {@code /proc} throughout, stays under the
 * bound each test states; the normal clients make progress during the flood and after it.
 */
@Timeout(240)
class FloodCompatTest {
    private static final String TOPIC = "steady";
    private static final long RSS_BOUND = 512L << 20;

    @TempDir
    Path dir;

    private SkiffProcess broker;
    private SteadyClients steady;

    @BeforeEach
    void start() throws Exception {
        broker = new SkiffProcess(dir).jvmOption("-Xmx256m").jvmOption("-Xms64m");
        broker.start();
        try (Admin admin = Clients.admin(broker.bootstrapServers())) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get();
        }
        steady = new SteadyClients(broker.bootstrapServers());
        steady.awaitConsumed(100, Duration.ofSeconds(30));
    }

    @AfterEach
    void stop() throws Exception {
        if (steady != null) {
            steady.close();
        }
        broker.close();
    }

    private long rss() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + broker.pid() + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IllegalStateException("no VmRSS for the broker");
    }

    /** The highest RSS seen while {@code flood} runs for {@code millis}, and the steady clients' progress. */
    private long peakRssDuring(long millis) throws Exception {
        long peak = rss();
        long consumedBefore = steady.consumed();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() < deadline) {
            peak = Math.max(peak, rss());
            Thread.sleep(100); // a sampling interval, not a wait for a condition
        }
        assertThat(steady.consumed())
                .as("records the steady consumer read during the flood")
                .isGreaterThan(consumedBefore);
        return peak;
    }

    @Test
    void thousandsOfIdleConnectionsAndPromisedHugeFramesDoNotExhaustTheBroker() throws Exception {
        List<Socket> flood = new ArrayList<>();
        try {
            for (int i = 0; i < 5_000; i++) {
                flood.add(connect());
            }
            for (int i = 0; i < 200; i++) {
                Socket s = connect();
                flood.add(s);
                // A frame header promising 100 MB (just under socket.request.max.bytes), then nothing.
                s.getOutputStream()
                        .write(ByteBuffer.allocate(4).putInt(100 << 20).array());
                s.getOutputStream().flush();
            }
            long peak = peakRssDuring(5_000);
            System.out.printf("flood: 5,200 connections, broker peak RSS %d MB%n", peak >> 20);
            assertThat(peak).as("broker RSS with 5,200 misbehaving connections").isLessThan(RSS_BOUND);
        } finally {
            for (Socket s : flood) {
                s.close();
            }
        }
        long after = steady.consumed();
        steady.awaitConsumed(after + 1_000, Duration.ofSeconds(30));
    }

    @Test
    void clientsThatNeverReadTheirAnswersCannotMakeTheBrokerBufferThem() throws Exception {
        // DescribeConfigs of the broker with documentation: an answer of over 8 KB to a 70-byte request.
        byte[] request = describeBrokerConfigsFrame();
        try (RawConnection c = new RawConnection("127.0.0.1", broker.port())) {
            c.sendRaw(request);
            ByteBuffer body = c.receive(1, ApiKeys.DESCRIBE_CONFIGS.responseHeaderVersion((short) 4));
            int answer = body.remaining();
            System.out.printf("flood: one answer is %d bytes%n", answer);
            assertThat(answer).as("bytes of one answer").isGreaterThan(8 << 10);
        }
        AtomicBoolean go = new AtomicBoolean(true);
        AtomicLong requestsWritten = new AtomicLong();
        List<Socket> sockets = new ArrayList<>();
        List<Thread> writers = new ArrayList<>();
        try {
            for (int i = 0; i < 20; i++) {
                Socket s = new Socket();
                s.setReceiveBufferSize(4096);
                s.connect(new InetSocketAddress("127.0.0.1", broker.port()), 10_000);
                sockets.add(s);
                Thread t = new Thread(() -> {
                    try {
                        OutputStream out = s.getOutputStream();
                        while (go.get()) {
                            out.write(request); // blocks once the broker stops reading
                            requestsWritten.incrementAndGet();
                        }
                    } catch (IOException closed) {
                        // the test closed the socket to end the flood
                    }
                });
                t.setDaemon(true);
                t.start();
                writers.add(t);
            }
            long peak = peakRssDuring(10_000);
            System.out.printf(
                    "flood: 20 connections never reading, %d requests written, broker peak RSS %d MB%n",
                    requestsWritten.get(), peak >> 20);
            assertThat(peak)
                    .as("broker RSS with 20 connections that never read")
                    .isLessThan(RSS_BOUND);
        } finally {
            go.set(false);
            for (Socket s : sockets) {
                s.close();
            }
            for (Thread t : writers) {
                t.join(10_000);
            }
        }
        long after = steady.consumed();
        steady.awaitConsumed(after + 1_000, Duration.ofSeconds(30));
    }

    private Socket connect() throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", broker.port()), 10_000);
        return s;
    }

    private static byte[] describeBrokerConfigsFrame() {
        short version = 4;
        RequestHeaderData header = new RequestHeaderData()
                .setRequestApiKey(ApiKeys.DESCRIBE_CONFIGS.id)
                .setRequestApiVersion(version)
                .setCorrelationId(1)
                .setClientId("flood");
        DescribeConfigsRequestData body =
                new DescribeConfigsRequestData().setIncludeSynonyms(true).setIncludeDocumentation(true);
        body.resources()
                .add(new DescribeConfigsRequestData.DescribeConfigsResource()
                        .setResourceType((byte) 4)
                        .setResourceName("1")
                        .setConfigurationKeys(null)); // every key
        ByteBuffer h = MessageUtil.toByteBufferAccessor(header, ApiKeys.DESCRIBE_CONFIGS.requestHeaderVersion(version))
                .buffer();
        ByteBuffer b = MessageUtil.toByteBufferAccessor(body, version).buffer();
        ByteBuffer frame = ByteBuffer.allocate(4 + h.remaining() + b.remaining());
        frame.putInt(h.remaining() + b.remaining()).put(h).put(b);
        return frame.array();
    }

    /**
     * A producer and a consumer of {@link #TOPIC} that run until closed, each on a thread of its
     * own: the normal clients whose progress the floods must not stop.
     */
    private static final class SteadyClients implements AutoCloseable {
        private final AtomicBoolean go = new AtomicBoolean(true);
        private final AtomicLong consumed = new AtomicLong();
        private final Thread producer;
        private final Thread consumer;

        SteadyClients(String bootstrap) {
            producer = new Thread(() -> {
                try (KafkaProducer<byte[], byte[]> p = Clients.producer(bootstrap, "all")) {
                    byte[] value = new byte[100];
                    while (go.get()) {
                        p.send(new ProducerRecord<>(TOPIC, value)).get(30, TimeUnit.SECONDS);
                    }
                } catch (Exception e) {
                    if (go.get()) {
                        throw new IllegalStateException(e);
                    }
                }
            });
            consumer = new Thread(() -> {
                TopicPartition tp = new TopicPartition(TOPIC, 0);
                try (KafkaConsumer<byte[], byte[]> c = Clients.consumer(bootstrap, new Properties())) {
                    c.assign(List.of(tp));
                    c.seekToBeginning(List.of(tp));
                    while (go.get()) {
                        consumed.addAndGet(c.poll(Duration.ofMillis(200)).count());
                    }
                }
            });
            producer.start();
            consumer.start();
        }

        long consumed() {
            return consumed.get();
        }

        void awaitConsumed(long atLeast, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (consumed.get() < atLeast) {
                assertThat(System.nanoTime())
                        .as("%d records consumed in time", atLeast)
                        .isLessThan(deadline);
                Thread.sleep(20);
            }
        }

        @Override
        public void close() throws InterruptedException {
            go.set(false);
            producer.join(30_000);
            consumer.join(30_000);
        }
    }
}
