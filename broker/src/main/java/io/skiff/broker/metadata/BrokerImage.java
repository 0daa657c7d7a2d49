package io.skiff.broker.metadata;

/** A registered broker as the metadata knows it: its registration and whether it is fenced. Immutable. */
public record BrokerImage(MetadataRecord.BrokerRegistered registration, boolean fenced) {
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
