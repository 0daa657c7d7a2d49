package io.skiff.wire.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The request decoders survive arbitrary bytes: every failure is a {@link MessageParseException}
 * or an {@link IndexOutOfBoundsException} (bytes ended early), never another exception, and no
 * length read from the input makes them allocate beyond the input's size.
 */
class ArbitraryBytesTest {
    @Test
    void everyRequestDecoderFailsCleanlyOnRandomAndMutatedBytes() {
        Random rnd = new Random(42);
        int parsed = 0;
        int rejected = 0;
        for (ApiKeys api : ApiKeys.values()) {
            for (short v = api.lowestVersion; v <= api.highestVersion; v++) {
                byte[] valid = encodeDefault(api, v);
                for (int i = 0; i < 300; i++) {
                    byte[] input = i % 2 == 0 ? random(rnd) : mutate(valid, rnd);
                    ByteBuf buf = Unpooled.wrappedBuffer(input);
                    ApiMessage m = api.newRequest();
                    try {
                        m.read(buf, v);
                        parsed++;
                    } catch (MessageParseException | IndexOutOfBoundsException expected) {
                        rejected++;
                    } finally {
                        m.release();
                    }
                }
            }
        }
        assertThat(parsed).isPositive();
        assertThat(rejected).isPositive();
    }

    @Test
    void hugeDeclaredLengthsAreRejectedBeforeAllocation() {
        // A compact array that claims 2^31-2 elements in a 6-byte buffer.
        ByteBuf buf = Unpooled.wrappedBuffer(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x07, 0});
        try {
            Wire.readArrayLength(buf, true, "x");
            throw new AssertionError("expected a parse failure");
        } catch (MessageParseException expected) {
            assertThat(expected.getMessage()).contains("claims");
        }
        ByteBuf bytes = Unpooled.wrappedBuffer(new byte[] {0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff, 1, 2});
        try {
            Wire.readBytes(bytes, false, false, "y");
            throw new AssertionError("expected a parse failure");
        } catch (MessageParseException expected) {
            assertThat(expected.getMessage()).contains("claims");
        }
    }

    private static byte[] encodeDefault(ApiKeys api, short v) {
        ApiMessage m = api.newRequest();
        try {
            ByteBuf out = Unpooled.buffer();
            m.write(out, v);
            byte[] b = new byte[out.readableBytes()];
            out.readBytes(b);
            return b;
        } catch (RuntimeException e) {
            return new byte[0]; // some defaults are not writable (non-nullable records); random bytes still run
        }
    }

    private static byte[] random(Random rnd) {
        byte[] b = new byte[rnd.nextInt(64)];
        rnd.nextBytes(b);
        return b;
    }

    private static byte[] mutate(byte[] valid, Random rnd) {
        if (valid.length == 0) {
            return random(rnd);
        }
        byte[] b = valid.clone();
        int flips = 1 + rnd.nextInt(3);
        for (int i = 0; i < flips; i++) {
            b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
        }
        if (rnd.nextBoolean()) {
            return java.util.Arrays.copyOf(b, rnd.nextInt(b.length + 1));
        }
        return b;
    }
}
