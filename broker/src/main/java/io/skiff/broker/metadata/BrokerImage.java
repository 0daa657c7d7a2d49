package io.skiff.broker.metadata;

/**
 * A registered broker as the metadata knows it: its registration, whether it is fenced and whether it
 * is in controlled shutdown (it asked to shut down; until it registers anew it leads nothing and
 * joins no ISR). Immutable.
 */
public record BrokerImage(MetadataRecord.BrokerRegistered registration, boolean fenced, boolean inControlledShutdown) {
    public BrokerImage(MetadataRecord.BrokerRegistered registration, boolean fenced) {
        this(registration, fenced, false);
    }

    /** Whether the broker may lead and join ISRs: unfenced and not in controlled shutdown (Kafka's "active"). */
    public boolean active() {
        return !fenced && !inControlledShutdown;
    }

    public int nodeId() {
        return registration.nodeId();
    }

    /** The registered listener named {@code name}, or null. */
    public MetadataRecord.BrokerRegistered.Listener listener(String name) {
        for (MetadataRecord.BrokerRegistered.Listener l : registration.listeners()) {
            if (l.name().equals(name)) {
                return l;
            }
        }
        return null;
    }
}
