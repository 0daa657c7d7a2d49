package io.skiff.wire.generator;

/** An indenting text buffer for generated Java source. Not thread-safe. */
final class Code {
    private final StringBuilder out = new StringBuilder(1 << 16);
    private int indent;

    Code line(String text) {
        if (!text.isEmpty()) {
            out.append("    ".repeat(indent)).append(text);
        }
        out.append('\n');
        return this;
    }

    Code line() {
        out.append('\n');
        return this;
    }

    /** Writes {@code text {} } and indents. */
    Code open(String text) {
        line(text.isEmpty() ? "{" : text + " {");
        indent++;
        return this;
    }

    Code close() {
        indent--;
        line("}");
        return this;
    }

    /** Closes a block and opens the next on the same line, e.g. {@code "} else {"}. */
    Code closeOpen(String text) {
        indent--;
        line("} " + text + " {");
        indent++;
        return this;
    }

    @Override
    public String toString() {
        return out.toString();
    }
}
