package io.skiff.broker.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleSupplier;
import java.util.function.Supplier;
import javax.management.Attribute;
import javax.management.AttributeList;
import javax.management.AttributeNotFoundException;
import javax.management.DynamicMBean;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanInfo;
import javax.management.MBeanOperationInfo;

/**
 * A read-only MBean over one meter of the {@link KafkaMetricsRegistry}, with the attributes
 * Kafka's Yammer JMX reporter gives the same kind of meter, so that JMX clients and the JMX
 * exporter's Kafka rules read Skiff as they read Kafka:
 *
 * <ul>
 *   <li>meters: {@code Count}, {@code MeanRate}, {@code OneMinuteRate}, {@code FiveMinuteRate},
 *       {@code FifteenMinuteRate}, {@code EventType}, {@code RateUnit};</li>
 *   <li>histograms: {@code Count}, {@code Min}, {@code Max}, {@code Mean}, {@code StdDev},
 *       {@code 50thPercentile}, {@code 75thPercentile}, {@code 95thPercentile},
 *       {@code 98thPercentile}, {@code 99thPercentile}, {@code 999thPercentile}; timers add the
 *       meter's rates and {@code DurationUnit};</li>
 *   <li>gauges: {@code Value} (or the attribute Kafka uses, {@code connection-count}).</li>
 * </ul>
 *
 * Values are read from the meter when asked: there is no second set of counters. Thread-safe.
 */
final class KafkaMBean implements DynamicMBean {
    private final Map<String, Supplier<Object>> attributes;
    private final MBeanInfo info;

    private KafkaMBean(String description, Map<String, Supplier<Object>> attributes, Map<String, String> types) {
        this.attributes = attributes;
        List<MBeanAttributeInfo> infos = new ArrayList<>();
        for (String name : attributes.keySet()) {
            infos.add(new MBeanAttributeInfo(name, types.get(name), name, true, false, false));
        }
        this.info = new MBeanInfo(
                KafkaMBean.class.getName(),
                description,
                infos.toArray(new MBeanAttributeInfo[0]),
                null,
                new MBeanOperationInfo[0],
                null);
    }

    /** The MBean of a meter of {@code eventType} events (Kafka's "messages", "bytes", "requests", ...). */
    static KafkaMBean meter(MeterRates rates, String eventType, LongTimeSource clock) {
        Builder b = new Builder();
        b.add("Count", "long", rates::count);
        addRates(b, rates, clock);
        b.add("EventType", "java.lang.String", () -> eventType);
        b.add("RateUnit", "java.lang.String", () -> "SECONDS");
        return b.build("meter");
    }

    /** The MBean of a histogram; with {@code rates}, a timer's (rates of the recorded events too). */
    static KafkaMBean histogram(Histogram h, MeterRates rates, LongTimeSource clock) {
        Builder b = new Builder();
        b.add("Count", "long", h::count);
        b.addDouble("Min", h::min);
        b.addDouble("Max", h::max);
        b.addDouble("Mean", h::mean);
        b.addDouble("StdDev", h::stdDev);
        b.addDouble("50thPercentile", () -> h.percentile(0.50));
        b.addDouble("75thPercentile", () -> h.percentile(0.75));
        b.addDouble("95thPercentile", () -> h.percentile(0.95));
        b.addDouble("98thPercentile", () -> h.percentile(0.98));
        b.addDouble("99thPercentile", () -> h.percentile(0.99));
        b.addDouble("999thPercentile", () -> h.percentile(0.999));
        if (rates != null) {
            addRates(b, rates, clock);
            b.add("EventType", "java.lang.String", () -> "calls");
            b.add("RateUnit", "java.lang.String", () -> "SECONDS");
            b.add("DurationUnit", "java.lang.String", () -> "MILLISECONDS");
        }
        return b.build(rates != null ? "timer" : "histogram");
    }

    /** The MBean of a gauge. */
    static KafkaMBean gauge(DoubleSupplier value, boolean integral, String attribute) {
        Builder b = new Builder();
        if (integral) {
            b.add(attribute, "long", () -> (long) value.getAsDouble());
        } else {
            b.addDouble(attribute, value);
        }
        return b.build("gauge");
    }

    private static void addRates(Builder b, MeterRates rates, LongTimeSource clock) {
        b.addDouble("MeanRate", () -> rates.meanRate(clock.nanoTime()));
        b.addDouble("OneMinuteRate", rates::oneMinuteRate);
        b.addDouble("FiveMinuteRate", rates::fiveMinuteRate);
        b.addDouble("FifteenMinuteRate", rates::fifteenMinuteRate);
    }

    /** A nanosecond clock (the JMX reporter's). */
    @FunctionalInterface
    interface LongTimeSource {
        long nanoTime();
    }

    private static final class Builder {
        private final Map<String, Supplier<Object>> attributes = new LinkedHashMap<>();
        private final Map<String, String> types = new LinkedHashMap<>();

        void add(String name, String type, Supplier<Object> value) {
            attributes.put(name, value);
            types.put(name, type);
        }

        void addDouble(String name, DoubleSupplier value) {
            add(name, "double", () -> value.getAsDouble());
        }

        KafkaMBean build(String description) {
            return new KafkaMBean(description, attributes, types);
        }
    }

    @Override
    public Object getAttribute(String attribute) throws AttributeNotFoundException {
        Supplier<Object> s = attributes.get(attribute);
        if (s == null) {
            throw new AttributeNotFoundException(attribute);
        }
        return s.get();
    }

    @Override
    public void setAttribute(Attribute attribute) throws AttributeNotFoundException {
        throw new AttributeNotFoundException("read-only: " + attribute.getName());
    }

    @Override
    public AttributeList getAttributes(String[] names) {
        AttributeList out = new AttributeList();
        for (String name : names) {
            Supplier<Object> s = attributes.get(name);
            if (s != null) {
                out.add(new Attribute(name, s.get()));
            }
        }
        return out;
    }

    @Override
    public AttributeList setAttributes(AttributeList list) {
        return new AttributeList();
    }

    @Override
    public Object invoke(String actionName, Object[] params, String[] signature) {
        throw new UnsupportedOperationException(actionName);
    }

    @Override
    public MBeanInfo getMBeanInfo() {
        return info;
    }
}
