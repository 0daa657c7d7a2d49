package io.skiff.broker.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** {@link SampledRate}: Kafka's windowed rate and throttle time, on a manual clock. */
class SampledRateTest {
    @Test
    void aFreshRateIsMeasuredOverAtLeastSamplesMinusOneWindows() {
        SampledRate r = new SampledRate(11, 1000);
        r.record(10_000, 0);
        assertThat(r.windowSizeMs(0)).isEqualTo(10_000);
        assertThat(r.ratePerSecond(0)).isCloseTo(1000.0, within(1e-9));
    }

    @Test
    void theWindowGrowsWithElapsedTimeOnceItPassesTheMinimum() {
        SampledRate r = new SampledRate(11, 1000);
        for (long t = 0; t <= 10_500; t += 500) {
            r.record(100, t);
        }
        assertThat(r.windowSizeMs(10_500)).isEqualTo(10_500);
    }

    @Test
    void valuesOlderThanAllWindowsNoLongerCount() {
        SampledRate r = new SampledRate(3, 1000);
        r.record(1_000_000, 0);
        r.record(1, 3_000);
        assertThat(r.ratePerSecond(3_000)).isCloseTo(0.5, within(1e-9));
    }

    @Test
    void withinTheBoundThereIsNoThrottle() {
        SampledRate r = new SampledRate(11, 1000);
        assertThat(r.recordAndThrottleMs(10_000, 0, 1000, Long.MAX_VALUE)).isZero();
    }

    @Test
    void overTheBoundTheThrottleBringsTheRateBack() {
        SampledRate r = new SampledRate(11, 1000);
        // 20000 over 10 s is 2000/s against 1000/s: (2000 - 1000) / 1000 * 10 s.
        assertThat(r.recordAndThrottleMs(20_000, 0, 1000, Long.MAX_VALUE)).isEqualTo(10_000);
        // 1500/s measured over 10 s: half the excess.
        SampledRate s = new SampledRate(11, 1000);
        assertThat(s.recordAndThrottleMs(15_000, 0, 1000, Long.MAX_VALUE)).isEqualTo(5_000);
    }

    @Test
    void theThrottleIsCappedAtTheGivenMaximum() {
        SampledRate r = new SampledRate(11, 1000);
        assertThat(r.recordAndThrottleMs(1_000_000, 0, 1, 1000)).isEqualTo(1000);
    }

    @Test
    void aNegativeRecordTakesBackWhatWasRecorded() {
        SampledRate r = new SampledRate(11, 1000);
        r.record(5000, 0);
        r.record(-5000, 0);
        assertThat(r.ratePerSecond(0)).isZero();
    }
}
