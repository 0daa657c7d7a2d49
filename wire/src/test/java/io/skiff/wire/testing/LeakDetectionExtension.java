package io.skiff.wire.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class when Netty's leak detector (run at PARANOID level in every test JVM)
 * reports a buffer that was garbage-collected without being released. Registered for every
 * test class through JUnit's extension auto-detection. Leaks are attributed to the class
 * after which they are found; the report carries Netty's access records.
 */
public final class LeakDetectionExtension implements BeforeAllCallback, AfterAllCallback {
    private static final List<String> LEAKS = new ArrayList<>();

    static {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new ResourceLeakDetectorFactory() {
            @Override
            @SuppressWarnings("deprecation")
            public <T> ResourceLeakDetector<T> newResourceLeakDetector(
                    Class<T> resource, int samplingInterval, long maxActive) {
                return new RecordingDetector<>(resource, samplingInterval);
            }
        });
    }

    private static final class RecordingDetector<T> extends ResourceLeakDetector<T> {
        RecordingDetector(Class<T> resource, int samplingInterval) {
            super(resource, samplingInterval);
        }

        @Override
        protected void reportTracedLeak(String resourceType, String records) {
            synchronized (LEAKS) {
                LEAKS.add(resourceType + " leaked:" + records);
            }
            super.reportTracedLeak(resourceType, records);
        }

        @Override
        protected void reportUntracedLeak(String resourceType) {
            synchronized (LEAKS) {
                LEAKS.add(resourceType + " leaked (untraced)");
            }
            super.reportUntracedLeak(resourceType);
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        drain();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(40);
            // Leak reports are emitted when tracked buffers are allocated after the collection.
            ByteBuf a = UnpooledByteBufAllocator.DEFAULT.heapBuffer(8);
            ByteBuf b = PooledByteBufAllocator.DEFAULT.directBuffer(8);
            a.release();
            b.release();
        }
        List<String> found = drain();
        if (!found.isEmpty()) {
            throw new AssertionError(found.size() + " buffer leak(s) after " + context.getDisplayName() + ":\n"
                    + String.join("\n", found));
        }
    }

    private static List<String> drain() {
        synchronized (LEAKS) {
            List<String> out = new ArrayList<>(LEAKS);
            LEAKS.clear();
            return out;
        }
    }
}
