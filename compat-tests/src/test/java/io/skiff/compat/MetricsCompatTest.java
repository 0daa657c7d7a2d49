package io.skiff.compat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.skiff.broker.SkiffBroker;
import io.skiff.broker.config.BrokerConfig;
import io.skiff.broker.config.ConfigException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.rmi.registry.LocateRegistry;
import java.rmi.registry.Registry;
import java.rmi.server.UnicastRemoteObject;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXConnectorServer;
import javax.management.remote.JMXConnectorServerFactory;
import javax.management.remote.JMXServiceURL;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The metrics a real broker exports while kafka-clients produce and consume over real sockets:
 * the Prometheus endpoint ({@code skiff.metrics.listener}) scraped over HTTP shows exactly the
 * records produced, the produce requests, the bytes, the log end offset and the consumer group's
 * lag under the names Kafka's JMX exporter rules give them; the same meters are MBeans under
 * Kafka's ObjectNames ({@code skiff.metrics.jmx.enable}), read by a JMX client through an RMI
 * connector ({@link JMXConnectorFactory}) over the in-process broker's platform MBean server. In fsync durability the group
 * commits show in the flush meters; every metric the Grafana dashboard reads is there. A metrics
 * port that is taken stops start-up naming the key.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class MetricsCompatTest {
    private static final String TOPIC = "metered";
    private static final int REQUESTS = 5;
    private static final int PER_REQUEST = 20;
    private static final int RECORDS = REQUESTS * PER_REQUEST;
    private static final int MORE = 7;

    @RegisterExtension
    static final SkiffBrokerExtension BROKER = new SkiffBrokerExtension()
            .with("skiff.metrics.listener", "http://127.0.0.1:0")
            .with("skiff.metrics.jmx.enable", "true")
            .with("skiff.log.durability", "fsync");

    private static Admin admin;

    /** An RMI connector over the platform MBean server, as -Dcom.sun.management.jmxremote.port makes one. */
    private static JMXConnectorServer jmxService;

    private static Registry rmiRegistry;

    @BeforeAll
    static void createTopic() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            port = free.getLocalPort();
        }
        rmiRegistry = LocateRegistry.createRegistry(port);
        jmxService = JMXConnectorServerFactory.newJMXConnectorServer(
                new JMXServiceURL("service:jmx:rmi:///jndi/rmi://127.0.0.1:" + port + "/jmxrmi"),
                null,
                ManagementFactory.getPlatformMBeanServer());
        jmxService.start();
        admin = Clients.admin(BROKER);
        admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
    }

    @AfterAll
    static void closeAdmin() {
        admin.close();
    }

    @Test
    void scrapeAndJmxShowWhatWasProducedAndConsumed() throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = Clients.producer(BROKER.bootstrapServers(), "all")) {
            for (int r = 0; r < REQUESTS; r++) {
                for (int i = 0; i < PER_REQUEST; i++) {
                    producer.send(new ProducerRecord<>(TOPIC, 0, null, ("v" + i).getBytes()));
                }
                producer.flush(); // one produce request per round
            }
        }
        PrometheusScrape s = scrape();
        assertThat(s.value("kafka_server_brokertopicmetrics_messagesin_total", "topic", TOPIC))
                .isEqualTo(RECORDS);
        assertThat(s.value("kafka_server_brokertopicmetrics_messagesin_total")).isGreaterThanOrEqualTo(RECORDS);
        assertThat(s.value("kafka_server_brokertopicmetrics_bytesin_total", "topic", TOPIC))
                .isGreaterThan(0);
        assertThat(s.value("kafka_server_brokertopicmetrics_totalproducerequests_total", "topic", TOPIC))
                .isGreaterThanOrEqualTo(REQUESTS);
        assertThat(s.sum("kafka_network_requestmetrics_requests_total", "request", "Produce"))
                .isGreaterThanOrEqualTo(REQUESTS);
        assertThat(s.sum("kafka_network_requestmetrics_errors_total", "request", "Produce", "error", "NONE"))
                .isGreaterThanOrEqualTo(REQUESTS);
        assertThat(s.value("kafka_network_requestmetrics_totaltimems_count", "request", "Produce"))
                .isGreaterThanOrEqualTo(REQUESTS);
        assertThat(s.value("kafka_log_log_logendoffset", "topic", TOPIC, "partition", "0"))
                .isEqualTo(RECORDS);
        assertThat(s.value("kafka_log_log_numlogsegments", "topic", TOPIC, "partition", "0"))
                .isEqualTo(1);
        assertThat(s.value("kafka_server_replicamanager_partitioncount")).isGreaterThanOrEqualTo(1);
        assertThat(s.value("kafka_server_replicamanager_underreplicatedpartitions"))
                .isZero();
        assertThat(s.value(
                        "kafka_server_socket_server_metrics_connection_count",
                        "listener",
                        "PLAINTEXT",
                        "networkProcessor",
                        "0"))
                .isGreaterThanOrEqualTo(1);
        assertThat(s.has("jvm_memory_used_bytes")).isTrue();
        // fsync durability: every acknowledged produce waited for an fsync pass (a group commit).
        assertThat(s.value("skiff_log_flush_group_size_count")).isGreaterThanOrEqualTo(1);
        assertThat(s.value("skiff_log_flush_group_size_sum")).isGreaterThanOrEqualTo(REQUESTS);
        assertThat(s.value("kafka_log_logflushstats_logflushrateandtimems_count"))
                .isGreaterThanOrEqualTo(s.value("skiff_log_flush_commit_time_ms_count"));

        Properties group = new Properties();
        group.put(ConsumerConfig.GROUP_ID_CONFIG, "metered-group");
        group.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<byte[], byte[]> consumer = Clients.consumer(BROKER.bootstrapServers(), group)) {
            consumer.subscribe(List.of(TOPIC));
            assertThat(Clients.readAll(consumer, RECORDS)).hasSize(RECORDS);
            consumer.commitSync(Duration.ofSeconds(30));
        }
        s = scrape();
        String[] lagLabels = {"consumergroup", "metered-group", "topic", TOPIC, "partition", "0"};
        assertThat(s.value("kafka_consumergroup_current_offset", lagLabels)).isEqualTo(RECORDS);
        assertThat(s.value("kafka_consumergroup_lag", lagLabels)).isZero();
        assertThat(s.value("kafka_server_brokertopicmetrics_bytesout_total", "topic", TOPIC))
                .isGreaterThan(0);
        assertThat(s.sum("kafka_network_requestmetrics_requests_total", "request", "FetchConsumer"))
                .isGreaterThanOrEqualTo(1);

        try (KafkaProducer<byte[], byte[]> producer = Clients.producer(BROKER.bootstrapServers(), "all")) {
            for (int i = 0; i < MORE; i++) {
                producer.send(new ProducerRecord<>(TOPIC, 0, null, ("more" + i).getBytes()));
            }
            producer.flush();
        }
        s = scrape();
        assertThat(s.value("kafka_consumergroup_lag", lagLabels)).isEqualTo(MORE);
        assertThat(s.value("kafka_server_brokertopicmetrics_messagesin_total", "topic", TOPIC))
                .isEqualTo(RECORDS + MORE);

        PrometheusScrape last = s;
        assertThat(dashboardMetrics())
                .as("every metric the Grafana dashboard reads is exported")
                .isNotEmpty()
                .allSatisfy(name -> assertThat(last.hasFamily(name)).as(name).isTrue());

        try (JMXConnector connector = JMXConnectorFactory.connect(jmxService.getAddress())) {
            readMBeans(connector.getMBeanServerConnection());
        }
    }

    /** What a JMX client sees of the broker's MBeans (through a connector, as a remote client). */
    private static void readMBeans(MBeanServerConnection jmx) throws Exception {
        ObjectName messagesIn =
                new ObjectName("kafka.server:type=BrokerTopicMetrics,name=MessagesInPerSec,topic=" + TOPIC);
        assertThat(jmx.getAttribute(messagesIn, "Count")).isEqualTo((long) (RECORDS + MORE));
        assertThat(jmx.getAttribute(messagesIn, "EventType")).isEqualTo("messages");
        assertThat((Double) jmx.getAttribute(messagesIn, "OneMinuteRate")).isGreaterThanOrEqualTo(0);
        ObjectName produceTime = new ObjectName("kafka.network:type=RequestMetrics,name=TotalTimeMs,request=Produce");
        assertThat((Long) jmx.getAttribute(produceTime, "Count")).isGreaterThanOrEqualTo(REQUESTS + 1);
        double mean = (Double) jmx.getAttribute(produceTime, "Mean");
        double max = (Double) jmx.getAttribute(produceTime, "Max");
        double p99 = (Double) jmx.getAttribute(produceTime, "99thPercentile");
        assertThat(mean).isGreaterThan(0).isLessThanOrEqualTo(max);
        assertThat(p99).isGreaterThan(0).isLessThanOrEqualTo(max);
        ObjectName logEnd = new ObjectName("kafka.log:type=Log,name=LogEndOffset,topic=" + TOPIC + ",partition=0");
        assertThat(waitForMBean(jmx, logEnd)).isTrue();
        assertThat(jmx.getAttribute(logEnd, "Value")).isEqualTo((long) (RECORDS + MORE));
        ObjectName connections =
                new ObjectName("kafka.server:type=socket-server-metrics,listener=PLAINTEXT,networkProcessor=0");
        assertThat((Long) jmx.getAttribute(connections, "connection-count")).isGreaterThanOrEqualTo(1);
    }

    @AfterAll
    static void stopJmx() throws Exception {
        jmxService.stop();
        UnicastRemoteObject.unexportObject(rmiRegistry, true);
    }

    @Test
    void aMetricsPortInUseStopsStartUp() throws Exception {
        Path dir = Files.createTempDirectory("skiff-metrics-port-");
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            Map<String, String> props = new LinkedHashMap<>();
            props.put("listeners", "PLAINTEXT://127.0.0.1:0");
            props.put("log.dirs", dir.toString());
            props.put("skiff.metrics.listener", "http://127.0.0.1:" + taken.getLocalPort());
            SkiffBroker broker = new SkiffBroker(new BrokerConfig(props));
            try {
                assertThatThrownBy(broker::start)
                        .isInstanceOf(ConfigException.class)
                        .hasMessageContaining("skiff.metrics.listener")
                        .hasMessageContaining(Integer.toString(taken.getLocalPort()));
            } finally {
                broker.shutdown();
            }
        }
    }

    @Test
    void aMalformedListenerIsRefusedNamingTheKey() {
        Map<String, String> props = new LinkedHashMap<>();
        props.put("listeners", "PLAINTEXT://127.0.0.1:0");
        props.put("log.dirs", "/nonexistent");
        props.put("skiff.metrics.listener", "9404");
        assertThatThrownBy(() -> new BrokerConfig(props))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("skiff.metrics.listener")
                .hasMessageContaining("http://host:port");
    }

    /**
     * Per-partition MBeans follow the metadata on the metrics thread, after the partition is
     * created: waits (at most 20 s) for one to be there.
     */
    private static boolean waitForMBean(MBeanServerConnection jmx, ObjectName name) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!jmx.isRegistered(name) && System.nanoTime() < deadline) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
        return jmx.isRegistered(name);
    }

    /** The metric names in the expressions of metrics/grafana/skiff-dashboard.json (run from compat-tests/). */
    private static Set<String> dashboardMetrics() throws Exception {
        String json = Files.readString(Path.of("..", "metrics", "grafana", "skiff-dashboard.json"));
        Matcher expr =
                Pattern.compile("\"expr\":\\s*\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(json);
        Pattern metric = Pattern.compile("\\b((?:kafka|skiff|jvm)_[a-z0-9_]+)");
        Set<String> names = new TreeSet<>();
        while (expr.find()) {
            Matcher m = metric.matcher(expr.group(1));
            while (m.find()) {
                names.add(m.group(1));
            }
        }
        return names;
    }

    private static PrometheusScrape scrape() throws Exception {
        return PrometheusScrape.of(BROKER.broker().metrics().boundPort());
    }
}
