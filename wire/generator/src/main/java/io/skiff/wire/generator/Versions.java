package io.skiff.wire.generator;

/**
 * An inclusive range of protocol versions as written in the schemas: {@code "3"}, {@code "0-7"},
 * {@code "9+"} or {@code "none"}. Immutable.
 */
public final class Versions {
    public static final short OPEN_END = Short.MAX_VALUE;
    public static final Versions NONE = new Versions((short) 1, (short) 0);
    public static final Versions ALL = new Versions((short) 0, OPEN_END);

    public final short lowest;
    public final short highest;

    public Versions(short lowest, short highest) {
        this.lowest = lowest;
        this.highest = highest;
    }

    /**
     * Parses a range; {@code absent} is returned for null. Throws {@link IllegalArgumentException}
     * for anything else than the four forms, a negative version or a range that ends before it starts.
     */
    public static Versions parse(String text, Versions absent) {
        if (text == null) {
            return absent;
        }
        String s = text.trim();
        if (s.equals("none")) {
            return NONE;
        }
        if (s.endsWith("+")) {
            return new Versions(version(s.substring(0, s.length() - 1), text), OPEN_END);
        }
        int dash = s.indexOf('-');
        if (dash > 0) {
            short lowest = version(s.substring(0, dash), text);
            short highest = version(s.substring(dash + 1), text);
            if (highest < lowest) {
                throw new IllegalArgumentException("invalid version range \"" + text + "\": it ends before it starts");
            }
            return new Versions(lowest, highest);
        }
        short v = version(s, text);
        return new Versions(v, v);
    }

    private static short version(String number, String text) {
        short v;
        try {
            v = Short.parseShort(number.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid version range \"" + text + "\"", e);
        }
        if (v < 0) {
            throw new IllegalArgumentException("invalid version range \"" + text + "\": negative version");
        }
        return v;
    }

    public boolean isEmpty() {
        return lowest > highest;
    }

    public boolean contains(int version) {
        return version >= lowest && version <= highest;
    }

    public Versions intersect(Versions other) {
        short lo = (short) Math.max(lowest, other.lowest);
        short hi = (short) Math.min(highest, other.highest);
        return lo > hi ? NONE : new Versions(lo, hi);
    }

    /**
     * A Java boolean expression that is true when {@code var} lies in this range, simplified
     * with the knowledge that {@code var} always lies in {@code within}.
     */
    public String condition(String var, Versions within) {
        Versions effective = intersect(within);
        if (effective.isEmpty()) {
            return "false";
        }
        boolean fromStart = effective.lowest <= within.lowest;
        boolean toEnd = effective.highest >= within.highest;
        if (fromStart && toEnd) {
            return "true";
        }
        if (fromStart) {
            return var + " <= " + effective.highest;
        }
        if (toEnd) {
            return var + " >= " + effective.lowest;
        }
        if (effective.lowest == effective.highest) {
            return var + " == " + effective.lowest;
        }
        return "(" + var + " >= " + effective.lowest + " && " + var + " <= " + effective.highest + ")";
    }

    @Override
    public String toString() {
        if (isEmpty()) {
            return "none";
        }
        if (highest == OPEN_END) {
            return lowest + "+";
        }
        return lowest == highest ? Short.toString(lowest) : lowest + "-" + highest;
    }
}
