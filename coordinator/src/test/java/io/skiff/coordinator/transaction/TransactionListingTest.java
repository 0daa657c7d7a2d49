package io.skiff.coordinator.transaction;

import static org.assertj.core.api.Assertions.assertThat;

import io.skiff.wire.message.DescribeTransactionsResponse;
import io.skiff.wire.message.ListTransactionsRequest;
import io.skiff.wire.message.ListTransactionsResponse;
import io.skiff.wire.protocol.Errors;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** DescribeTransactions and ListTransactions with every filter. */
class TransactionListingTest {
    private static final TxnTopicPartition A0 = new TxnTopicPartition("a", 0);
    private static final TxnTopicPartition A1 = new TxnTopicPartition("a", 1);
    private static final TxnTopicPartition B0 = new TxnTopicPartition("b", 0);

    private TxnTestContext ctx;
    private TxnResult ongoing;
    private long startMs;

    @BeforeEach
    void start() {
        ctx = new TxnTestContext();
        ctx.init("empty");
        ongoing = ctx.init("ongoing");
        startMs = ctx.clock.milliseconds();
        ctx.add("ongoing", ongoing, TransactionVersion.TV_0, A0, B0, A1);
        TxnResult c = ctx.init("committed");
        ctx.add("committed", c, TransactionVersion.TV_0, A0);
        ctx.end("committed", c.producerId(), c.producerEpoch(), true, TransactionVersion.TV_0);
        ctx.clock.advance(1000);
    }

    @AfterEach
    void close() {
        ctx.close();
    }

    private List<String> list(ListTransactionsRequest request) {
        ListTransactionsResponse r = ctx.coordinator.listTransactions(request).join();
        assertThat(r.errorCode()).isEqualTo(Errors.NONE.code);
        List<String> out = new ArrayList<>();
        for (ListTransactionsResponse.TransactionState s : r.transactionStates()) {
            out.add(s.transactionalId() + ":" + s.transactionState() + ":" + s.producerId());
        }
        return out;
    }

    private static ListTransactionsRequest all() {
        return new ListTransactionsRequest()
                .setStateFilters(new ArrayList<>())
                .setProducerIdFilters(new ArrayList<>())
                .setDurationFilter(-1);
    }

    @Test
    void describeShowsStateProducerTimeoutStartAndPartitionsByTopic() {
        DescribeTransactionsResponse.TransactionState d =
                ctx.coordinator.describeTransaction("ongoing").join();
        assertThat(d.errorCode()).isEqualTo(Errors.NONE.code);
        assertThat(d.transactionState()).isEqualTo("Ongoing");
        assertThat(d.producerId()).isEqualTo(ongoing.producerId());
        assertThat(d.producerEpoch()).isEqualTo(ongoing.producerEpoch());
        assertThat(d.transactionTimeoutMs()).isEqualTo(60_000);
        assertThat(d.transactionStartTimeMs()).isEqualTo(startMs);
        assertThat(d.topics()).extracting(t -> t.topic() + t.partitions()).containsExactly("a[0, 1]", "b[0]");
        assertThat(ctx.coordinator.describeTransaction("empty").join().transactionStartTimeMs())
                .isEqualTo(-1);
        assertThat(ctx.coordinator.describeTransaction("nope").join().errorCode())
                .isEqualTo(Errors.TRANSACTIONAL_ID_NOT_FOUND.code);
        assertThat(ctx.coordinator.describeTransaction("").join().errorCode()).isEqualTo(Errors.INVALID_REQUEST.code);
    }

    @Test
    void listWithoutFiltersListsEveryTransactionalId() {
        assertThat(list(all()))
                .extracting(s -> s.substring(0, s.indexOf(':')))
                .containsExactlyInAnyOrder("empty", "ongoing", "committed");
    }

    @Test
    void listFiltersByStateAndReportsUnknownStates() {
        ListTransactionsResponse r = ctx.coordinator
                .listTransactions(all().setStateFilters(List.of("Ongoing", "Bogus")))
                .join();
        assertThat(r.unknownStateFilters()).containsExactly("Bogus");
        assertThat(r.transactionStates())
                .extracting(ListTransactionsResponse.TransactionState::transactionalId)
                .containsExactly("ongoing");
        assertThat(list(all().setStateFilters(List.of("Bogus")))).isEmpty();
    }

    @Test
    void listFiltersByProducerId() {
        assertThat(list(all().setProducerIdFilters(List.of(ongoing.producerId()))))
                .containsExactly("ongoing:Ongoing:" + ongoing.producerId());
    }

    @Test
    void listFiltersByDurationKeepingTransactionsRunningLonger() {
        // The ongoing transaction runs for 1000 ms: a filter of 999 keeps it, one of 1000 does not.
        assertThat(list(all().setDurationFilter(999).setStateFilters(List.of("Ongoing"))))
                .hasSize(1);
        assertThat(list(all().setDurationFilter(1000).setStateFilters(List.of("Ongoing"))))
                .isEmpty();
    }

    @Test
    void listFiltersByTransactionalIdPattern() {
        assertThat(list(all().setTransactionalIdPattern("o.*")))
                .extracting(s -> s.substring(0, s.indexOf(':')))
                .containsExactly("ongoing");
        assertThat(list(all().setTransactionalIdPattern("ongo")))
                .as("the whole id must match")
                .isEmpty();
        assertThat(ctx.coordinator
                        .listTransactions(all().setTransactionalIdPattern("(("))
                        .join()
                        .errorCode())
                .isEqualTo(Errors.INVALID_REGULAR_EXPRESSION.code);
    }

    @Test
    void transactionalIdsOfPartitionsNotHostedHereAreNotCoordinatedHere() {
        TxnTestContext two =
                new TxnTestContext(Map.of(TransactionCoordinatorConfig.TRANSACTION_STATE_LOG_NUM_PARTITIONS, "2"));
        try {
            String elsewhere = two.coordinator.partitionFor("a") == 1 ? "a" : "b";
            assertThat(two.coordinator.partitionFor(elsewhere)).isEqualTo(1);
            assertThat(two.init(elsewhere).error()).isEqualTo(Errors.NOT_COORDINATOR);
            assertThat(two.coordinator.describeTransaction(elsewhere).join().errorCode())
                    .isEqualTo(Errors.NOT_COORDINATOR.code);
        } finally {
            two.close();
        }
    }

    @Test
    void partitionOfATransactionalIdIsKafkasAbsHashModuloPartitions() {
        // "polygenelubricants".hashCode() is Integer.MIN_VALUE: Kafka's Utils.abs maps it to 0.
        assertThat("polygenelubricants".hashCode()).isEqualTo(Integer.MIN_VALUE);
        TxnTestContext fifty =
                new TxnTestContext(Map.of(TransactionCoordinatorConfig.TRANSACTION_STATE_LOG_NUM_PARTITIONS, "50"));
        try {
            assertThat(fifty.coordinator.partitionFor("polygenelubricants")).isZero();
            assertThat(fifty.coordinator.partitionFor("my-txn")).isEqualTo(Math.abs("my-txn".hashCode()) % 50);
        } finally {
            fifty.close();
        }
    }
}
