package io.skiff.wire.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.skiff.wire.message.ApiVersionsResponse;
import io.skiff.wire.message.FetchResponse;
import io.skiff.wire.message.MetadataRequest;
import io.skiff.wire.message.ProduceResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link Message#countErrors}: every ErrorCode field a message carries at a version, nested ones included. */
class ErrorCountsTest {
    private static List<Short> codes(Message m, int version) {
        List<Short> out = new ArrayList<>();
        m.countErrors((short) version, out::add);
        return out;
    }

    @Test
    void countsEveryPartitionOfEveryTopic() {
        ProduceResponse r = new ProduceResponse()
                .setResponses(List.of(
                        new ProduceResponse.TopicProduceResponse()
                                .setName("a")
                                .setPartitionResponses(List.of(
                                        new ProduceResponse.PartitionProduceResponse().setErrorCode(Errors.NONE.code),
                                        new ProduceResponse.PartitionProduceResponse()
                                                .setErrorCode(Errors.NOT_LEADER_OR_FOLLOWER.code))),
                        new ProduceResponse.TopicProduceResponse()
                                .setName("b")
                                .setPartitionResponses(List.of(new ProduceResponse.PartitionProduceResponse()
                                        .setErrorCode(Errors.CORRUPT_MESSAGE.code)))));
        assertThat(codes(r, 9))
                .containsExactly(Errors.NONE.code, Errors.NOT_LEADER_OR_FOLLOWER.code, Errors.CORRUPT_MESSAGE.code);
    }

    @Test
    void countsTheTopLevelCodeOnlyAtVersionsThatHaveIt() {
        FetchResponse r = new FetchResponse()
                .setErrorCode(Errors.NONE.code)
                .setResponses(List.of(new FetchResponse.FetchableTopicResponse()
                        .setTopic("t")
                        .setPartitions(List.of(
                                new FetchResponse.PartitionData().setErrorCode(Errors.OFFSET_OUT_OF_RANGE.code)))));
        assertThat(codes(r, 4)).containsExactly(Errors.OFFSET_OUT_OF_RANGE.code);
        assertThat(codes(r, 12)).containsExactly(Errors.NONE.code, Errors.OFFSET_OUT_OF_RANGE.code);
    }

    @Test
    void aTopLevelOnlyResponseCountsOneCode() {
        assertThat(codes(new ApiVersionsResponse().setErrorCode(Errors.UNSUPPORTED_VERSION.code), 3))
                .containsExactly(Errors.UNSUPPORTED_VERSION.code);
    }

    @Test
    void aMessageWithoutErrorCodesCountsNothing() {
        assertThat(codes(new MetadataRequest(), 12)).isEmpty();
    }
}
