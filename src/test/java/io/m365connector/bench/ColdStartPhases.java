package io.m365connector.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a cold child's time went, from what the JVM itself records: its class-load log
 * ({@code -Xlog:class+load}, one line per class with its source) attributed to libraries, and its performance
 * counters saved at exit ({@code -XX:+PerfDataSaveToFile}, read with {@code jstat -snap}): total class loading,
 * class initialisation, bytecode verification, JIT compile time, GC and safepoint time.
 */
final class ColdStartPhases {
    /** A gap between two class loads longer than this is a wait (network, Azurite), not loading: not counted. */
    private static final long MAX_GAP_NANOS = 10_000_000;
    private static final Pattern LOAD = Pattern.compile("^\\[(\\d+)ns\\] (\\S+) source: (.*)$");
    private static final Pattern JAR = Pattern.compile("(.+?)(-\\d.*)?\\.jar");

    private ColdStartPhases() {
    }

    /** One line of a class-load log: when (JVM uptime), which class, from where. */
    record ClassLoad(long atNanos, String className, String source) {
    }

    static List<String> jvmOptions(Path dir, String mode) {
        return List.of(classLoadLog(dir.resolve(mode + "-classload.log")), "-XX:+PerfDataSaveToFile",
                "-XX:PerfDataSaveFile=" + dir.resolve(mode + ".perf"));
    }

    /** The JVM option that writes the class-load log {@link #classLoads} reads. */
    static String classLoadLog(Path log) {
        return "-Xlog:class+load=info:file=" + log + ":uptimenanos";
    }

    static List<ClassLoad> classLoads(Path log) throws IOException {
        List<ClassLoad> loads = new ArrayList<>();
        for (String line : Files.readAllLines(log)) {
            Matcher m = LOAD.matcher(line);
            if (m.matches()) {
                loads.add(new ClassLoad(Long.parseLong(m.group(1)), m.group(2), m.group(3)));
            }
        }
        return loads;
    }

    /** Classes loaded per {@link #library}. */
    static Map<String, Integer> classesPerLibrary(List<ClassLoad> loads) {
        Map<String, Integer> counts = new TreeMap<>();
        loads.forEach(load -> counts.merge(library(load.className(), load.source()), 1, Integer::sum));
        return counts;
    }

    static void print(Path dir, String mode) throws IOException, InterruptedException {
        printClassLoads(dir.resolve(mode + "-classload.log"), mode);
        printCounters(dir.resolve(mode + ".perf"), mode);
    }

    private static void printClassLoads(Path log, String mode) throws IOException {
        Map<String, long[]> byLibrary = new TreeMap<>();
        long previous = 0;
        List<ClassLoad> loads = classLoads(log);
        for (ClassLoad load : loads) {
            long gap = load.atNanos() - previous;
            previous = load.atNanos();
            long[] row = byLibrary.computeIfAbsent(library(load.className(), load.source()), k -> new long[3]);
            row[0]++;
            row[1] += load.source().startsWith("shared objects file") ? 1 : 0;
            row[2] += gap <= MAX_GAP_NANOS ? gap : 0;
        }
        int total = loads.size();
        System.out.printf("%s CLASSES %d loaded; per library: classes, of which from a CDS archive, ms of the gaps before"
                + " their loads (gaps > 10 ms not counted)%n", mode, total);
        byLibrary.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue()[2], a.getValue()[2])).forEach(e -> System.out.printf(
                "%s CLASSES %-42s %5d %5d %7.1f%n", mode, e.getKey(), e.getValue()[0], e.getValue()[1], e.getValue()[2] / 1e6));
    }

    /** A library name for a class: its jar without the version, or a JDK area by package. */
    static String library(String className, String source) {
        int jarEnd = source.indexOf(".jar");
        if (jarEnd > 0) {
            String file = source.substring(source.lastIndexOf('/', jarEnd) + 1, jarEnd + 4);
            Matcher jar = JAR.matcher(file);
            return jar.matches() ? jar.group(1) : file;
        }
        if (source.contains("/target/classes")) {
            return "app classes (directory)";
        }
        if (source.contains("/target/test-classes")) {
            return "test classes (directory)";
        }
        boolean jdk = className.startsWith("java.") || className.startsWith("javax.") || className.startsWith("jdk.")
                || className.startsWith("sun.") || className.startsWith("com.sun.");
        if (source.startsWith("jrt:/") || (source.startsWith("shared objects file") && jdk)) {
            return jdkArea(className);
        }
        if (source.startsWith("shared objects file")) {
            return "app + libraries (from the AppCDS archive)";
        }
        return "generated (lambda forms, proxies)";
    }

    private static String jdkArea(String className) {
        if (className.startsWith("sun.security.ssl.") || className.startsWith("javax.net.ssl.")) {
            return "JDK TLS";
        }
        if (className.startsWith("sun.security.") || className.startsWith("java.security.") || className.startsWith("javax.crypto.")
                || className.startsWith("com.sun.crypto.") || className.startsWith("javax.security.")) {
            return "JDK crypto, certificates";
        }
        if (className.startsWith("jdk.internal.net.http.") || className.startsWith("java.net.http.")) {
            return "JDK HttpClient";
        }
        return "JDK other";
    }

    private static void printCounters(Path perf, String mode) throws IOException, InterruptedException {
        Path jstat = Path.of(System.getProperty("java.home"), "bin", "jstat");
        Process p = new ProcessBuilder(jstat.toString(), "-J-Djstat.showUnsupported=true", "-snap", perf.toUri().toString())
                .redirectErrorStream(true).start();
        Map<String, Long> counters = new LinkedHashMap<>();
        for (String line : new String(p.getInputStream().readAllBytes()).split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0 && line.substring(eq + 1).matches("\\d+")) {
                counters.put(line.substring(0, eq), Long.parseLong(line.substring(eq + 1)));
            }
        }
        p.waitFor();
        double perMs = counters.getOrDefault("sun.os.hrt.frequency", 1_000_000_000L) / 1000.0;
        List<String> parts = new ArrayList<>();
        add(parts, "class loading (VM, incl. init)", counters.get("sun.cls.time"), perMs);
        add(parts, "of which static initialisers", counters.get("sun.cls.classInitTime.self"), perMs);
        add(parts, "verification", counters.get("sun.cls.classVerifyTime.self"), perMs);
        add(parts, "linking", counters.get("sun.cls.classLinkedTime.self"), perMs);
        add(parts, "JIT compiling (compiler threads)", sum(counters, "sun.ci.standardTime", "sun.ci.osrTime"), perMs);
        add(parts, "GC", sum(counters, "sun.gc.collector.0.time", "sun.gc.collector.1.time", "sun.gc.collector.2.time"), perMs);
        add(parts, "safepoints", counters.get("sun.rt.safepointTime"), perMs);
        System.out.printf("%s COUNTERS %s; compiled methods %d%n", mode, String.join("; ", parts), counters.getOrDefault("sun.ci.totalCompiles", 0L));
    }

    private static Long sum(Map<String, Long> counters, String... names) {
        long total = 0;
        for (String name : names) {
            total += counters.getOrDefault(name, 0L);
        }
        return total;
    }

    private static void add(List<String> parts, String label, Long ticks, double perMs) {
        if (ticks != null) {
            parts.add(String.format("%s %.0f ms", label, ticks / perMs));
        }
    }
}
