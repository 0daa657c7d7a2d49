package io.skiff.coordinator.group;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of the group coordinator: state transitions per (from, to) pair, rejected
 * transitions, rebalances. Thread-safe; one instance per coordinator, shared by its shards.
 */
public final class GroupMetrics {
    private final ConcurrentHashMap<String, LongAdder> counters = new ConcurrentHashMap<>();

    /** Adds one to the counter {@code name}. */
    public void increment(String name) {
        counters.computeIfAbsent(name, k -> new LongAdder()).increment();
    }

    /** The value of the counter {@code name}, zero if never incremented. */
    public long count(String name) {
        LongAdder a = counters.get(name);
        return a == null ? 0 : a.sum();
    }

    /** The counter name of a state transition. */
    public static String transition(Enum<?> from, Enum<?> to) {
        return "transition." + from.getDeclaringClass().getSimpleName() + "." + from.name() + "." + to.name();
    }

    /** The counter name of a rejected state transition. */
    public static String rejectedTransition(Enum<?> from, Enum<?> to) {
        return "rejected-transition." + from.getDeclaringClass().getSimpleName() + "." + from.name() + "." + to.name();
    }
}
