package io.skiff.coordinator.group;

import io.skiff.wire.message.OffsetCommitRequest;
import io.skiff.wire.message.OffsetCommitResponse;
import io.skiff.wire.message.TxnOffsetCommitRequest;
import io.skiff.wire.message.TxnOffsetCommitResponse;
import io.skiff.wire.protocol.Errors;
import io.skiff.wire.protocol.Uuid;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Builders of OffsetCommit and TxnOffsetCommit responses in Kafka's layout: the partitions the
 * coordinator answers without the group (unknown topics and partitions) first, then the group's
 * answer merged in, topics in the order they were first added. One builder per request, used by
 * one thread at a time.
 */
final class CommitResponses {
    private CommitResponses() {}

    /** Kafka's OffsetCommit response layout: topics and partitions in the order they are added. */
    static final class Plain {
        private final short version;
        private final Map<Object, OffsetCommitResponse.OffsetCommitResponseTopic> topics = new LinkedHashMap<>();

        Plain(short version) {
            this.version = version;
        }

        private OffsetCommitResponse.OffsetCommitResponseTopic topic(String name, Uuid id) {
            Object key = version >= 10 ? id : name;
            return topics.computeIfAbsent(
                    key,
                    k -> version >= 10
                            ? new OffsetCommitResponse.OffsetCommitResponseTopic().setTopicId(id)
                            : new OffsetCommitResponse.OffsetCommitResponseTopic().setName(name));
        }

        void add(OffsetCommitRequest.OffsetCommitRequestTopic t, int partition, Errors error) {
            topic(t.name(), t.topicId())
                    .partitions()
                    .add(new OffsetCommitResponse.OffsetCommitResponsePartition()
                            .setPartitionIndex(partition)
                            .setErrorCode(error.code));
        }

        void addAll(OffsetCommitRequest request, Errors error) {
            for (OffsetCommitRequest.OffsetCommitRequestTopic t : request.topics()) {
                for (OffsetCommitRequest.OffsetCommitRequestPartition p : t.partitions()) {
                    add(t, p.partitionIndex(), error);
                }
            }
        }

        void merge(OffsetCommitResponse r) {
            for (OffsetCommitResponse.OffsetCommitResponseTopic t : r.topics()) {
                topic(t.name(), t.topicId()).partitions().addAll(t.partitions());
            }
        }

        OffsetCommitResponse build() {
            return new OffsetCommitResponse().setTopics(new ArrayList<>(topics.values()));
        }
    }

    /** Kafka's TxnOffsetCommit response layout: topics and partitions in the order they are added. */
    static final class Transactional {
        private final Map<String, TxnOffsetCommitResponse.TxnOffsetCommitResponseTopic> topics = new LinkedHashMap<>();

        private TxnOffsetCommitResponse.TxnOffsetCommitResponseTopic topic(String name) {
            return topics.computeIfAbsent(
                    name, k -> new TxnOffsetCommitResponse.TxnOffsetCommitResponseTopic().setName(name));
        }

        void add(String topic, int partition, Errors error) {
            topic(topic)
                    .partitions()
                    .add(new TxnOffsetCommitResponse.TxnOffsetCommitResponsePartition()
                            .setPartitionIndex(partition)
                            .setErrorCode(error.code));
        }

        void addAll(TxnOffsetCommitRequest request, Errors error) {
            for (TxnOffsetCommitRequest.TxnOffsetCommitRequestTopic t : request.topics()) {
                for (TxnOffsetCommitRequest.TxnOffsetCommitRequestPartition p : t.partitions()) {
                    add(t.name(), p.partitionIndex(), error);
                }
            }
        }

        void merge(TxnOffsetCommitResponse r) {
            for (TxnOffsetCommitResponse.TxnOffsetCommitResponseTopic t : r.topics()) {
                topic(t.name()).partitions().addAll(t.partitions());
            }
        }

        TxnOffsetCommitResponse build() {
            return new TxnOffsetCommitResponse().setTopics(new ArrayList<>(topics.values()));
        }
    }
}
