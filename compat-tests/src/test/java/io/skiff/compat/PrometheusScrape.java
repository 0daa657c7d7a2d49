package io.skiff.compat;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The samples of one scrape in the Prometheus text format: name, labels, value. */
final class PrometheusScrape {
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)\\})? (\\S+)$");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    private record Sample(String name, Map<String, String> labels, double value) {}

    private final List<Sample> samples = new ArrayList<>();

    /** Scrapes {@code http://127.0.0.1:port/metrics}; the answer must be 200. */
    static PrometheusScrape of(int port) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                                .timeout(Duration.ofSeconds(20))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return new PrometheusScrape(r.body());
    }

    PrometheusScrape(String text) {
        for (String line : text.split("\n")) {
            Matcher m = SAMPLE.matcher(line);
            if (line.startsWith("#") || !m.matches()) {
                continue;
            }
            Map<String, String> labels = new TreeMap<>();
            if (m.group(3) != null) {
                Matcher l = LABEL.matcher(m.group(3));
                while (l.find()) {
                    labels.put(l.group(1), l.group(2));
                }
            }
            samples.add(new Sample(m.group(1), labels, Double.parseDouble(m.group(4))));
        }
    }

    /** Whether a sample of {@code name} is there, or of a histogram or counter of that family name. */
    boolean hasFamily(String name) {
        return samples.stream()
                .anyMatch(s -> s.name.equals(name) || s.name.equals(name + "_total") || s.name.equals(name + "_count"));
    }

    boolean has(String name) {
        return samples.stream().anyMatch(s -> s.name.equals(name));
    }

    /** The value of the sample with exactly these labels; NaN when there is none. */
    double value(String name, String... labels) {
        Map<String, String> want = labels(labels);
        return samples.stream()
                .filter(s -> s.name.equals(name) && s.labels.equals(want))
                .mapToDouble(Sample::value)
                .findFirst()
                .orElse(Double.NaN);
    }

    /** The sum of the samples that have at least these labels. */
    double sum(String name, String... labels) {
        Map<String, String> want = labels(labels);
        return samples.stream()
                .filter(s -> s.name.equals(name) && s.labels.entrySet().containsAll(want.entrySet()))
                .mapToDouble(Sample::value)
                .sum();
    }

    private static Map<String, String> labels(String... pairs) {
        Map<String, String> out = new TreeMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            out.put(pairs[i], pairs[i + 1]);
        }
        return out;
    }
}
