package io.skiff.wire.generator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class VersionsTest {
    @Test
    void parsesTheFourFormsOfTheSchemas() {
        Versions single = Versions.parse("3", Versions.NONE);
        assertThat(single.lowest).isEqualTo((short) 3);
        assertThat(single.highest).isEqualTo((short) 3);
        Versions range = Versions.parse("0-7", Versions.NONE);
        assertThat(range.lowest).isEqualTo((short) 0);
        assertThat(range.highest).isEqualTo((short) 7);
        Versions open = Versions.parse("9+", Versions.NONE);
        assertThat(open.lowest).isEqualTo((short) 9);
        assertThat(open.highest).isEqualTo(Versions.OPEN_END);
        assertThat(Versions.parse("none", Versions.ALL).isEmpty()).isTrue();
        assertThat(Versions.parse(" 2-4 ", Versions.NONE).toString()).isEqualTo("2-4");
    }

    @Test
    void returnsTheGivenDefaultWhenAbsent() {
        assertThat(Versions.parse(null, Versions.ALL)).isSameAs(Versions.ALL);
        assertThat(Versions.parse(null, Versions.NONE)).isSameAs(Versions.NONE);
    }

    @Test
    void rejectsMalformedRanges() {
        for (String bad : new String[] {"", "x", "1-", "-1", "3-1", "1-2-3", "+", "1.5", "99999"}) {
            assertThatThrownBy(() -> Versions.parse(bad, Versions.NONE))
                    .as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("invalid version range");
        }
    }

    @Test
    void conditionsAreSimplifiedWithinTheValidVersions() {
        Versions valid = Versions.parse("0-9", Versions.NONE);
        assertThat(Versions.parse("0+", null).condition("v", valid)).isEqualTo("true");
        assertThat(Versions.parse("10+", null).condition("v", valid)).isEqualTo("false");
        assertThat(Versions.parse("3+", null).condition("v", valid)).isEqualTo("v >= 3");
        assertThat(Versions.parse("0-4", null).condition("v", valid)).isEqualTo("v <= 4");
        assertThat(Versions.parse("5", null).condition("v", valid)).isEqualTo("v == 5");
        assertThat(Versions.parse("2-4", null).condition("v", valid)).isEqualTo("(v >= 2 && v <= 4)");
    }

    @Test
    void intersectionOfDisjointRangesIsEmpty() {
        assertThat(Versions.parse("0-2", null)
                        .intersect(Versions.parse("3+", null))
                        .isEmpty())
                .isTrue();
        assertThat(Versions.parse("0-5", null)
                        .intersect(Versions.parse("3+", null))
                        .toString())
                .isEqualTo("3-5");
    }
}
