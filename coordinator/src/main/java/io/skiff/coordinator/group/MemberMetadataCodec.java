package io.skiff.coordinator.group;

import io.netty.buffer.ByteBuf;
import io.skiff.coordinator.record.ConsumerGroupMemberMetadataValue;
import io.skiff.wire.protocol.RawTaggedField;
import io.skiff.wire.protocol.Wire;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads and prepares ConsumerGroupMemberMetadata values the way Kafka encodes their one tagged
 * field, {@code ClassicMemberMetadata}: a nullable struct in a tagged field starts with an
 * unsigned varint that is 0 for null (Kafka writes the tag with that 0 for members of the
 * consumer protocol). The generated record class reads and writes that presence as a signed byte
 * (-1 for null), which Kafka cannot read, so this codec owns the field: a null is written as the
 * raw tag {@code [0]} next to the class's "absent" default, and read back to the same form. Every
 * other field goes through the generated code. Stateless.
 */
final class MemberMetadataCodec {
    private static final int CLASSIC_MEMBER_METADATA_TAG = 0;
    private static final byte[] NULL_STRUCT = {0};

    private MemberMetadataCodec() {
    }

    /** Makes {@code value} serialize as Kafka serializes it (call before writing). */
    static ConsumerGroupMemberMetadataValue forWrite(ConsumerGroupMemberMetadataValue value) {
        if (value.classicMemberMetadata() == null) {
            value.setClassicMemberMetadata(new ConsumerGroupMemberMetadataValue.ClassicMemberMetadata());
            value.unknownTaggedFields().removeIf(f -> f.tag() == CLASSIC_MEMBER_METADATA_TAG);
            value.unknownTaggedFields().add(0, new RawTaggedField(CLASSIC_MEMBER_METADATA_TAG, NULL_STRUCT));
        }
        return value;
    }

    /** Reads a value of {@code version} (borrowing {@code buf}), in the form {@link #forWrite} produces. */
    static ConsumerGroupMemberMetadataValue read(ByteBuf buf, short version) {
        ConsumerGroupMemberMetadataValue v = new ConsumerGroupMemberMetadataValue();
        v.setInstanceId(Wire.readString(buf, true, true, "InstanceId"));
        v.setRackId(Wire.readString(buf, true, true, "RackId"));
        v.setClientId(Wire.readString(buf, true, false, "ClientId"));
        v.setClientHost(Wire.readString(buf, true, false, "ClientHost"));
        int length = Wire.readArrayLength(buf, true, "SubscribedTopicNames");
        if (length < 0) {
            throw Wire.nullNotAllowed("SubscribedTopicNames");
        }
        Wire.checkRemaining(buf, length, "SubscribedTopicNames");
        List<String> topics = new ArrayList<>(length);
        for (int i = 0; i < length; i++) {
            topics.add(Wire.readString(buf, true, false, "SubscribedTopicNames"));
        }
        v.setSubscribedTopicNames(topics);
        v.setSubscribedTopicRegex(Wire.readString(buf, true, true, "SubscribedTopicRegex"));
        v.setRebalanceTimeoutMs(buf.readInt());
        v.setServerAssignor(Wire.readString(buf, true, true, "ServerAssignor"));
        int numTaggedFields = Wire.readUnsignedVarint(buf);
        boolean nullClassic = false;
        for (int t = 0; t < numTaggedFields; t++) {
            int tag = Wire.readUnsignedVarint(buf);
            int size = Wire.readUnsignedVarint(buf);
            int end = Wire.tagEnd(buf, size);
            if (tag == CLASSIC_MEMBER_METADATA_TAG) {
                if (Wire.readUnsignedVarint(buf) == 0) {
                    nullClassic = true;
                } else {
                    v.setClassicMemberMetadata(new ConsumerGroupMemberMetadataValue.ClassicMemberMetadata(buf, version));
                }
                Wire.checkTagEnd(buf, end, tag);
            } else {
                List<RawTaggedField> raw = Wire.readRawTag(null, buf, tag, size);
                v.unknownTaggedFields().addAll(raw);
            }
        }
        if (nullClassic) {
            v.setClassicMemberMetadata(null);
            forWrite(v);
        }
        return v;
    }
}
