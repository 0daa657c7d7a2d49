package io.skiff.coordinator.group.classic;

import io.skiff.wire.message.JoinGroupResponse;
import io.skiff.wire.message.SyncGroupResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * A member of a classic group: identity, timeouts, the protocols it supports with their
 * metadata, its assignment, and (soft state) its parked JoinGroup / SyncGroup request. Byte
 * arrays are owned by the member and never modified. Shard-thread only.
 */
public final class ClassicGroupMember {
    /** The assignment of a member that has none. */
    public static final byte[] EMPTY_ASSIGNMENT = new byte[0];

    private final String memberId;
    private final String groupInstanceId;
    private final String clientId;
    private final String clientHost;
    private final String protocolType;
    private int rebalanceTimeoutMs;
    private int sessionTimeoutMs;
    private List<Protocol> supportedProtocols;
    private byte[] assignment = EMPTY_ASSIGNMENT;
    private CompletableFuture<JoinGroupResponse> awaitingJoin;
    private CompletableFuture<SyncGroupResponse> awaitingSync;
    private boolean isNew;

    /** One protocol a member supports, with its (opaque) metadata. */
    public static final class Protocol {
        private final String name;
        private final byte[] metadata;

        public Protocol(String name, byte[] metadata) {
            this.name = Objects.requireNonNull(name);
            this.metadata = metadata == null ? EMPTY_ASSIGNMENT : metadata;
        }

        public String name() {
            return name;
        }

        public byte[] metadata() {
            return metadata;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Protocol
                    && ((Protocol) o).name.equals(name)
                    && Arrays.equals(((Protocol) o).metadata, metadata);
        }

        @Override
        public int hashCode() {
            return name.hashCode() * 31 + Arrays.hashCode(metadata);
        }
    }

    public ClassicGroupMember(
            String memberId,
            String groupInstanceId,
            String clientId,
            String clientHost,
            int rebalanceTimeoutMs,
            int sessionTimeoutMs,
            String protocolType,
            List<Protocol> supportedProtocols) {
        this.memberId = memberId;
        this.groupInstanceId = groupInstanceId;
        this.clientId = clientId;
        this.clientHost = clientHost;
        this.rebalanceTimeoutMs = rebalanceTimeoutMs;
        this.sessionTimeoutMs = sessionTimeoutMs;
        this.protocolType = protocolType;
        this.supportedProtocols = List.copyOf(supportedProtocols);
    }

    public String memberId() {
        return memberId;
    }

    public String groupInstanceId() {
        return groupInstanceId;
    }

    public boolean isStaticMember() {
        return groupInstanceId != null;
    }

    public String clientId() {
        return clientId;
    }

    public String clientHost() {
        return clientHost;
    }

    public String protocolType() {
        return protocolType;
    }

    public int rebalanceTimeoutMs() {
        return rebalanceTimeoutMs;
    }

    public int sessionTimeoutMs() {
        return sessionTimeoutMs;
    }

    public List<Protocol> supportedProtocols() {
        return supportedProtocols;
    }

    public byte[] assignment() {
        return assignment;
    }

    public void setAssignment(byte[] assignment) {
        this.assignment = assignment == null ? EMPTY_ASSIGNMENT : assignment;
    }

    void update(List<Protocol> protocols, int rebalanceTimeoutMs, int sessionTimeoutMs) {
        this.supportedProtocols = List.copyOf(protocols);
        this.rebalanceTimeoutMs = rebalanceTimeoutMs;
        this.sessionTimeoutMs = sessionTimeoutMs;
    }

    /** The metadata of protocol {@code name}. */
    public byte[] metadata(String name) {
        for (Protocol p : supportedProtocols) {
            if (p.name.equals(name)) {
                return p.metadata;
            }
        }
        throw new IllegalArgumentException("member " + memberId + " does not support protocol " + name);
    }

    /** Whether the member supports exactly these protocols, in this order, with this metadata. */
    public boolean matches(List<Protocol> protocols) {
        return supportedProtocols.equals(protocols);
    }

    /** The member's preferred protocol among {@code candidates}. */
    public String vote(Set<String> candidates) {
        for (Protocol p : supportedProtocols) {
            if (candidates.contains(p.name)) {
                return p.name;
            }
        }
        throw new IllegalArgumentException("member " + memberId + " supports none of " + candidates);
    }

    public Collection<String> protocolNames() {
        List<String> names = new ArrayList<>(supportedProtocols.size());
        for (Protocol p : supportedProtocols) {
            names.add(p.name);
        }
        return names;
    }

    public boolean isAwaitingJoin() {
        return awaitingJoin != null;
    }

    public boolean isAwaitingSync() {
        return awaitingSync != null;
    }

    CompletableFuture<JoinGroupResponse> awaitingJoin() {
        return awaitingJoin;
    }

    void setAwaitingJoin(CompletableFuture<JoinGroupResponse> future) {
        this.awaitingJoin = future;
    }

    CompletableFuture<SyncGroupResponse> awaitingSync() {
        return awaitingSync;
    }

    void setAwaitingSync(CompletableFuture<SyncGroupResponse> future) {
        this.awaitingSync = future;
    }

    public boolean isNew() {
        return isNew;
    }

    public void setIsNew(boolean value) {
        this.isNew = value;
    }

    /**
     * Whether the member counts as alive when its session timer fires: members parked in a
     * rebalance are, unless they are new (a new member's parked join may time out).
     */
    public boolean hasSatisfiedHeartbeat() {
        return !isNew && (isAwaitingJoin() || isAwaitingSync());
    }

    @Override
    public String toString() {
        return "ClassicGroupMember(" + memberId + (groupInstanceId == null ? "" : ", instance " + groupInstanceId)
                + ")";
    }
}
