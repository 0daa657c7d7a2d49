package io.skiff.coordinator.transaction;

import static io.skiff.coordinator.transaction.TransactionState.COMPLETE_ABORT;
import static io.skiff.coordinator.transaction.TransactionState.COMPLETE_COMMIT;
import static io.skiff.coordinator.transaction.TransactionState.DEAD;
import static io.skiff.coordinator.transaction.TransactionState.EMPTY;
import static io.skiff.coordinator.transaction.TransactionState.ONGOING;
import static io.skiff.coordinator.transaction.TransactionState.PREPARE_ABORT;
import static io.skiff.coordinator.transaction.TransactionState.PREPARE_COMMIT;
import static io.skiff.coordinator.transaction.TransactionState.PREPARE_EPOCH_FENCE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The transition table of {@link TransactionState}: every pair of states, allowed or refused, as in Kafka 4.3.1. */
class TransactionStateTest {
    /** Kafka's table: each state and the states it may follow. */
    private static final Map<TransactionState, Set<TransactionState>> ALLOWED = Map.of(
            EMPTY, EnumSet.of(EMPTY, COMPLETE_COMMIT, COMPLETE_ABORT),
            ONGOING, EnumSet.of(ONGOING, EMPTY, COMPLETE_COMMIT, COMPLETE_ABORT),
            PREPARE_COMMIT, EnumSet.of(ONGOING),
            PREPARE_ABORT, EnumSet.of(ONGOING, PREPARE_EPOCH_FENCE, EMPTY, COMPLETE_COMMIT, COMPLETE_ABORT),
            COMPLETE_COMMIT, EnumSet.of(PREPARE_COMMIT),
            COMPLETE_ABORT, EnumSet.of(PREPARE_ABORT),
            DEAD, EnumSet.of(EMPTY, COMPLETE_COMMIT, COMPLETE_ABORT),
            PREPARE_EPOCH_FENCE, EnumSet.of(ONGOING));

    static Stream<Arguments> allowed() {
        List<Arguments> out = new ArrayList<>();
        for (TransactionState to : TransactionState.values()) {
            for (TransactionState from : ALLOWED.get(to)) {
                out.add(Arguments.of(from, to));
            }
        }
        return out.stream();
    }

    static Stream<Arguments> refused() {
        List<Arguments> out = new ArrayList<>();
        for (TransactionState to : TransactionState.values()) {
            for (TransactionState from : EnumSet.complementOf(EnumSet.copyOf(ALLOWED.get(to)))) {
                out.add(Arguments.of(from, to));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("allowed")
    void allowsTransition(TransactionState from, TransactionState to) {
        assertThat(to.canFollow(from)).isTrue();
        assertThat(TransactionState.transitionTo("t", from, to)).isEqualTo(to);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("refused")
    void refusesTransition(TransactionState from, TransactionState to) {
        long before = TransactionState.refusedTransitions();
        assertThat(to.canFollow(from)).isFalse();
        assertThatThrownBy(() -> TransactionState.transitionTo("t", from, to))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(from + " to " + to);
        assertThat(TransactionState.refusedTransitions()).isGreaterThan(before);
    }

    @Test
    void idsAndNamesAreKafkas() {
        assertThat(TransactionState.values())
                .extracting(s -> s.id + ":" + s.displayName)
                .containsExactly(
                        "0:Empty",
                        "1:Ongoing",
                        "2:PrepareCommit",
                        "3:PrepareAbort",
                        "4:CompleteCommit",
                        "5:CompleteAbort",
                        "6:Dead",
                        "7:PrepareEpochFence");
        for (TransactionState s : TransactionState.values()) {
            assertThat(TransactionState.fromId(s.id)).isEqualTo(s);
            assertThat(TransactionState.fromDisplayName(s.displayName)).isEqualTo(s);
        }
        assertThat(TransactionState.fromDisplayName("Nope")).isNull();
        assertThat(EnumSet.allOf(TransactionState.class).stream().filter(s -> s.expirationAllowed))
                .containsExactlyInAnyOrder(EMPTY, COMPLETE_COMMIT, COMPLETE_ABORT);
    }
}
