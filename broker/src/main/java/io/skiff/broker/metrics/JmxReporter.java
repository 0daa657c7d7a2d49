package io.skiff.broker.metrics;

import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;
import javax.management.InstanceAlreadyExistsException;
import javax.management.InstanceNotFoundException;
import javax.management.JMException;
import javax.management.MBeanServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers the meters of a {@link KafkaMetricsRegistry} as MBeans under Kafka's ObjectNames in
 * the platform MBean server ({@link KafkaMBean}), and keeps the JMX rates of meters and timers
 * ({@link MeterRates}), ticked every 5 s on the broker's metrics thread.
 *
 * <p>Several brokers in one JVM (tests) would claim the same names: the first keeps a name, later
 * ones skip it with one WARN line per broker; each unregisters only what it registered. Thread-safe.
 */
final class JmxReporter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(JmxReporter.class);

    private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    private final Set<MetricName> registered = ConcurrentHashMap.newKeySet();
    private final Map<MetricName, MeterRates> rates = new ConcurrentHashMap<>();
    private final ScheduledExecutorService ticker;
    private volatile boolean warnedTaken;

    /** @param ticker the thread that ticks the rates (the broker's metrics thread; not owned) */
    JmxReporter(ScheduledExecutorService ticker) {
        this.ticker = ticker;
        ticker.scheduleAtFixedRate(this::tick, MeterRates.TICK_SECONDS, MeterRates.TICK_SECONDS, TimeUnit.SECONDS);
    }

    private void tick() {
        for (MeterRates r : rates.values()) {
            r.tick();
        }
    }

    /** Registers the MBean of {@code meter} (a {@link Meter}, {@link Histogram} or gauge) under {@code name}. */
    void register(MetricName name, Object meter, String eventType, boolean integral) {
        KafkaMBean bean;
        MeterRates r = null;
        if (meter instanceof Meter m) {
            r = new MeterRates(m::count, System.nanoTime());
            bean = KafkaMBean.meter(r, eventType, System::nanoTime);
        } else if (meter instanceof Histogram h) {
            r = eventType == null ? null : new MeterRates(h::count, System.nanoTime());
            bean = KafkaMBean.histogram(h, r, System::nanoTime);
        } else {
            bean = KafkaMBean.gauge((DoubleSupplier) meter, integral, name.jmxAttribute());
        }
        try {
            server.registerMBean(bean, name.objectName());
            registered.add(name);
            if (r != null) {
                rates.put(name, r);
            }
        } catch (InstanceAlreadyExistsException e) {
            if (!warnedTaken) {
                warnedTaken = true;
                LOG.warn(
                        "MBean {} is registered already (another broker in this JVM?); this broker's"
                                + " meters of names already taken are not on JMX",
                        name);
            }
        } catch (JMException e) {
            LOG.warn("Cannot register MBean {}", name, e);
        }
    }

    void unregister(MetricName name) {
        rates.remove(name);
        if (registered.remove(name)) {
            try {
                server.unregisterMBean(name.objectName());
            } catch (InstanceNotFoundException e) {
                // gone already
            } catch (JMException e) {
                LOG.warn("Cannot unregister MBean {}", name, e);
            }
        }
    }

    /** Unregisters every MBean this reporter registered (the ticker's owner stops it). */
    @Override
    public void close() {
        for (MetricName name : Set.copyOf(registered)) {
            unregister(name);
        }
    }
}
