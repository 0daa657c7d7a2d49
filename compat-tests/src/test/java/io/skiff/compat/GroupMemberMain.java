package io.skiff.compat;

import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * A group member in a child JVM (started with {@link KafkaTool#start}), for tests that kill a
 * member's process so that it stops heart-beating without leaving. Arguments: bootstrap servers,
 * topic, then consumer properties as {@code key=value}. It polls forever and prints
 * {@code ASSIGNED 0,1} (partition numbers) each time its assignment changes.
 */
public final class GroupMemberMain {
    private GroupMemberMain() {}

    public static void main(String[] args) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        for (int i = 2; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            p.put(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(args[1]));
            String last = null;
            while (true) {
                consumer.poll(Duration.ofMillis(100));
                TreeSet<Integer> partitions = new TreeSet<>();
                for (TopicPartition tp : consumer.assignment()) {
                    partitions.add(tp.partition());
                }
                String now =
                        partitions.toString().replace(" ", "").replace("[", "").replace("]", "");
                if (!now.equals(last)) {
                    System.out.println("ASSIGNED " + now);
                    System.out.flush();
                    last = now;
                }
            }
        }
    }
}
