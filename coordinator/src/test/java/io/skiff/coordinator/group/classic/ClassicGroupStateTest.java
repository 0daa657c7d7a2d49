package io.skiff.coordinator.group.classic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.skiff.coordinator.group.GroupMetrics;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every transition of the classic group state machine: one test per allowed transition (it
 * happens and is counted) and one per rejected transition (it is refused, counted, and the state
 * stays). The table is Kafka's.
 */
class ClassicGroupStateTest {
    private static final Set<String> ALLOWED = Set.of(
            "PREPARING_REBALANCE->EMPTY",
            "STABLE->PREPARING_REBALANCE",
            "COMPLETING_REBALANCE->PREPARING_REBALANCE",
            "EMPTY->PREPARING_REBALANCE",
            "PREPARING_REBALANCE->COMPLETING_REBALANCE",
            "COMPLETING_REBALANCE->STABLE",
            "STABLE->DEAD",
            "PREPARING_REBALANCE->DEAD",
            "COMPLETING_REBALANCE->DEAD",
            "EMPTY->DEAD",
            "DEAD->DEAD");

    static Stream<Arguments> allowed() {
        return pairs(true);
    }

    static Stream<Arguments> rejected() {
        return pairs(false);
    }

    private static Stream<Arguments> pairs(boolean allowed) {
        Stream.Builder<Arguments> out = Stream.builder();
        for (ClassicGroupState from : ClassicGroupState.values()) {
            for (ClassicGroupState to : ClassicGroupState.values()) {
                if (ALLOWED.contains(from.name() + "->" + to.name()) == allowed) {
                    out.add(Arguments.of(from, to));
                }
            }
        }
        return out.build();
    }

    @ParameterizedTest(name = "{0} -> {1} is allowed")
    @MethodSource("allowed")
    void allowedTransitionHappensAndIsCounted(ClassicGroupState from, ClassicGroupState to) {
        GroupMetrics metrics = new GroupMetrics();
        ClassicGroup group = new ClassicGroup("g", from, 0L, metrics);
        assertThat(from.canTransitionTo(to)).isTrue();
        group.transitionTo(to, 42L);
        assertThat(group.state()).isEqualTo(to);
        assertThat(group.previousState()).isEqualTo(from);
        assertThat(group.currentStateTimestampMs()).isEqualTo(42L);
        assertThat(metrics.count(GroupMetrics.transition(from, to))).isEqualTo(1);
        assertThat(metrics.count(GroupMetrics.rejectedTransition(from, to))).isZero();
    }

    @ParameterizedTest(name = "{0} -> {1} is rejected")
    @MethodSource("rejected")
    void rejectedTransitionIsRefusedAndCounted(ClassicGroupState from, ClassicGroupState to) {
        GroupMetrics metrics = new GroupMetrics();
        ClassicGroup group = new ClassicGroup("g", from, 0L, metrics);
        assertThat(from.canTransitionTo(to)).isFalse();
        assertThatThrownBy(() -> group.transitionTo(to, 42L)).isInstanceOf(IllegalStateException.class);
        assertThat(group.state()).isEqualTo(from);
        assertThat(group.currentStateTimestampMs()).isZero();
        assertThat(metrics.count(GroupMetrics.rejectedTransition(from, to))).isEqualTo(1);
        assertThat(metrics.count(GroupMetrics.transition(from, to))).isZero();
    }

    @org.junit.jupiter.api.Test
    void tableCoversElevenAllowedAndFourteenRejectedTransitions() {
        assertThat(allowed().count()).isEqualTo(11);
        assertThat(rejected().count()).isEqualTo(14);
        assertThat(ClassicGroupState.DEAD.validPreviousStates()).isEqualTo(EnumSet.allOf(ClassicGroupState.class));
        assertThat(ClassicGroupState.STABLE.toString()).isEqualTo("Stable");
        assertThat(ClassicGroupState.PREPARING_REBALANCE.toLowerCaseString()).isEqualTo("preparingrebalance");
    }
}
