package io.skiff.compat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** kcat (librdkafka's command-line client) as a child process; {@link #find} is null where it is not installed. */
final class Kcat {
    /** What a kcat run printed and how it ended. */
    record Result(int exitCode, String out, String err) {}

    private Kcat() {}

    /** The kcat (or kafkacat) executable on the PATH, or null. */
    static String find() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
            for (String name : List.of("kcat", "kafkacat")) {
                File f = new File(dir, name);
                if (f.canExecute()) {
                    return f.getPath();
                }
            }
        }
        return null;
    }

    /**
     * The version of the librdkafka kcat runs on, as {major, minor, patch}, read from {@code kcat -V};
     * {0, 0, 0} when it does not say.
     */
    static int[] librdkafkaVersion(String kcat) throws Exception {
        Result r = run(kcat, null, "-V");
        Matcher m = Pattern.compile("librdkafka (\\d+)\\.(\\d+)\\.(\\d+)").matcher(r.out() + r.err());
        if (!m.find()) {
            return new int[] {0, 0, 0};
        }
        return new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3))};
    }

    /** Runs {@code kcat args}, feeding it {@code stdin} (null for none); fails the test if it runs over 60 s. */
    static Result run(String kcat, String stdin, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(kcat);
        cmd.addAll(List.of(args));
        File err = File.createTempFile("kcat", ".err");
        try {
            Process p = new ProcessBuilder(cmd).redirectError(err).start();
            if (stdin != null) {
                p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("kcat " + String.join(" ", args) + " ran over 60 s");
            }
            return new Result(p.exitValue(), out, new String(Files.readAllBytes(err.toPath()), StandardCharsets.UTF_8));
        } finally {
            err.delete();
        }
    }
}
