package io.m365connector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.microsoft.graph.models.Entity;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The shape the code keeps, read from the sources: packages import in one direction, classes and
 * methods stay small enough to read, one class writes token outcomes, function classes only translate.
 */
class ArchitectureTest {
    private static final Path MAIN = Path.of("src", "main", "java", "io", "m365connector");
    private static final Pattern REFERENCE = Pattern.compile("\\bio\\.m365connector\\.([a-z]\\w*(?:\\.[a-z]\\w*)*)\\.[A-Z]");
    private static final Pattern PACKAGE = Pattern.compile("^package io\\.m365connector\\.([\\w.]+);", Pattern.MULTILINE);
    private static final Pattern FQN_IN_CODE = Pattern.compile("(?<![\\w.@\"])(?:java|javax|io\\.m365connector|com\\.microsoft|com\\.azure|"
            + "okhttp3|com\\.fasterxml)(?:\\.[a-z]\\w*)+\\.[A-Z]");
    private static final Pattern MEMBER_HEADER = Pattern.compile("^( {4}| {8})(?!return |new |throw |else|if |for |while |switch |case |try|catch)"
            + "[\\w<>\\[\\],.? ]*?\\b(\\w+)\\s*\\([^;{]*$|^( {4}| {8})(?!return |new |throw |else|if |for |while |switch |case |try|catch)"
            + "[\\w<>\\[\\],.? ]*?\\b(\\w+)\\s*\\(.*\\{\\s*$");
    private static final int MAX_CLASS_LINES = 300;
    private static final int MAX_METHOD_LINES = 50;

    private record Source(Path path, String packageName, String text) {
        String className() {
            return path.getFileName().toString().replace(".java", "");
        }
    }

    private static List<Source> sources() {
        try (Stream<Path> files = Files.walk(MAIN)) {
            List<Source> result = new ArrayList<>();
            for (Path p : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String text = Files.readString(p);
                Matcher m = PACKAGE.matcher(text);
                result.add(new Source(p, m.find() ? m.group(1) : "", text));
            }
            return result;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void whenPackagesImportEachOtherThenThereIsNoCycle() {
        Map<String, Set<String>> graph = new TreeMap<>();
        for (Source s : sources()) {
            Matcher m = REFERENCE.matcher(s.text());
            while (m.find()) {
                if (!m.group(1).equals(s.packageName())) {
                    graph.computeIfAbsent(s.packageName(), k -> new TreeSet<>()).add(m.group(1));
                }
            }
        }
        List<String> cycles = new ArrayList<>();
        for (String from : graph.keySet()) {
            for (String to : graph.get(from)) {
                if (reaches(graph, to, from, new TreeSet<>())) {
                    cycles.add(from + " -> " + to);
                }
            }
        }
        assertEquals(List.of(), cycles, "package edges that are part of a cycle (graph: " + graph + ")");
    }

    private static boolean reaches(Map<String, Set<String>> graph, String from, String target, Set<String> seen) {
        if (from.equals(target)) {
            return true;
        }
        if (!seen.add(from)) {
            return false;
        }
        for (String next : graph.getOrDefault(from, Set.of())) {
            if (reaches(graph, next, target, seen)) {
                return true;
            }
        }
        return false;
    }

    /** Features sit side by side over the shared packages (graph, outlook, idempotency, tokens, ...): none imports another. */
    private static final Set<String> FEATURES = Set.of("connect", "actions", "scheduling", "reading", "maintenance", "health", "sync");

    @Test
    void whenFeaturePackagesAreReadThenNoneImportsAnother() {
        List<String> offenders = new ArrayList<>();
        for (Source s : sources()) {
            if (!FEATURES.contains(s.packageName())) {
                continue;
            }
            Matcher m = REFERENCE.matcher(s.text());
            while (m.find()) {
                String target = m.group(1).split("\\.")[0];
                if (FEATURES.contains(target) && !target.equals(s.packageName())) {
                    offenders.add(s.packageName() + "/" + s.className() + " -> " + m.group(1));
                }
            }
        }
        assertEquals(List.of(), offenders, "a feature that needs another's type: move the type to a shared package");
    }

    @Test
    void whenFilesOfOnePackageReferToEachOtherThenThereIsNoLoop() {
        Map<String, List<Source>> byPackage = new TreeMap<>();
        sources().forEach(s -> byPackage.computeIfAbsent(s.packageName(), k -> new ArrayList<>()).add(s));
        List<String> loops = new ArrayList<>();
        for (List<Source> files : byPackage.values()) {
            Map<String, Set<String>> uses = new TreeMap<>();
            for (Source from : files) {
                String code = withoutCommentsAndStrings(from.text());
                for (Source to : files) {
                    if (to != from && Pattern.compile("\\b" + to.className() + "\\b").matcher(code).find()) {
                        uses.computeIfAbsent(from.packageName() + "." + from.className(), k -> new TreeSet<>())
                                .add(to.packageName() + "." + to.className());
                    }
                }
            }
            for (String from : uses.keySet()) {
                for (String to : uses.get(from)) {
                    if (from.compareTo(to) < 0 && reaches(uses, to, from, new TreeSet<>())) {
                        loops.add(from + " <-> " + to);
                    }
                }
            }
        }
        assertEquals(List.of(), loops, "files of a package that reach each other: one of them should not know the other");
    }

    private static String withoutCommentsAndStrings(String text) {
        return text.replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("//[^\n]*", "").replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"");
    }

    @Test
    void whenTheTokenPackageIsListedThenItHoldsAtMostTwelveClasses() {
        long count = sources().stream().filter(s -> s.packageName().equals("tokens")).count();
        assertTrue(count <= 12, "tokens/ has " + count + " files");
    }

    @Test
    void whenClassesAreMeasuredThenNoneIsOverThreeHundredLines() {
        List<String> long_ = new ArrayList<>();
        for (Source s : sources()) {
            long lines = s.text().lines().count();
            if (lines > MAX_CLASS_LINES) {
                long_.add(s.className() + " (" + lines + ")");
            }
        }
        assertEquals(List.of(), long_);
    }

    @Test
    void whenMethodsAreMeasuredThenNoneOutsideRequestParsersIsOverFiftyLines() {
        List<String> long_ = new ArrayList<>();
        for (Source s : sources()) {
            if (s.className().endsWith("Request") || s.className().endsWith("Params")) {
                continue; // request parsers read field after field, each a line or two
            }
            List<String> lines = s.text().lines().toList();
            for (int i = 0; i < lines.size(); i++) {
                Matcher header = MEMBER_HEADER.matcher(lines.get(i));
                if (!header.find() || lines.get(i).contains(" = ") || lines.get(i).trim().startsWith("@")) {
                    continue;
                }
                int end = endOfBlock(lines, i);
                if (end < 0) {
                    continue;
                }
                if (end - i + 1 > MAX_METHOD_LINES) {
                    long_.add(s.className() + "." + (header.group(2) != null ? header.group(2) : header.group(4)) + " (" + (end - i + 1) + ")");
                }
                i = end;
            }
        }
        assertEquals(List.of(), long_);
    }

    /** The line of the brace closing the block that opens on or after {@code start}; -1 if none. */
    private static int endOfBlock(List<String> lines, int start) {
        int depth = 0;
        boolean opened = false;
        for (int i = start; i < lines.size(); i++) {
            String code = lines.get(i).replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"").replaceAll("'(?:[^'\\\\]|\\\\.)'", "''")
                    .replaceAll("//.*$", "");
            for (char c : code.toCharArray()) {
                if (c == '{') {
                    depth++;
                    opened = true;
                } else if (c == '}') {
                    depth--;
                }
            }
            if (!opened && code.trim().endsWith(";")) {
                return -1; // an abstract or interface method
            }
            if (opened && depth == 0) {
                return i;
            }
        }
        return -1;
    }

    @Test
    void whenConnectionsChangeStatusOrTokensThenOnlyRefreshOutcomesWritesTheTokenOutcome() {
        Pattern outcome = Pattern.compile("\\.status\\(ConnectionStatus\\.(ACTIVE|NEEDS_REAUTH)\\)|\\.tokens\\((?!null\\)|\\))");
        List<String> writers = new ArrayList<>();
        for (Source s : sources()) {
            if (outcome.matcher(s.text()).find()) {
                writers.add(s.className());
            }
        }
        assertEquals(List.of("RefreshOutcomes"), writers, "classes that mark a connection active or needs_reauth, or store tokens");
    }

    @Test
    void whenFunctionClassesAreReadThenTheyUseNoSdkClient() {
        Pattern sdk = Pattern.compile("import (com\\.azure\\.data|com\\.azure\\.storage|com\\.microsoft\\.graph|com\\.microsoft\\.aad\\.msal4j)\\.");
        List<String> offenders = sources().stream().filter(s -> s.packageName().equals("functions") && sdk.matcher(s.text()).find())
                .map(Source::className).toList();
        assertEquals(List.of(), offenders, "function classes translate HTTP to a service call; SDK calls live in the services");
    }

    /**
     * The Graph SDK's models that derive from {@code Entity} cost a cold instance ~1,100 class loads on first use (the
     * verifier loads every subtype {@code Entity.createFromDiscriminatorValue} names: BENCHMARKS.md, issue 24); the app
     * reads and writes those resources as JSON (GraphJsonRequests). Small value models (free/busy's) are fine.
     */
    @Test
    void whenTheAppNamesAGraphSdkModelThenItIsNotAnEntity() throws ClassNotFoundException {
        Pattern model = Pattern.compile("^import (com\\.microsoft\\.graph\\.models(?:\\.[a-z]\\w*)*\\.[A-Z]\\w*);", Pattern.MULTILINE);
        List<String> offenders = new ArrayList<>();
        int models = 0;
        for (Source s : sources()) {
            Matcher m = model.matcher(s.text());
            while (m.find()) {
                models++;
                Class<?> type = Class.forName(m.group(1), false, getClass().getClassLoader());
                if (Entity.class.isAssignableFrom(type)) {
                    offenders.add(s.className() + " imports " + type.getSimpleName());
                }
            }
        }
        assertTrue(models > 5, "the imports are read: " + models);
        assertEquals(List.of(), offenders, "read and write these resources as JSON (GraphJsonRequests)");
    }

    @Test
    void whenCodeNamesAClassThenItUsesAnImportNotAFullyQualifiedName() {
        List<String> offenders = new ArrayList<>();
        for (Source s : sources()) {
            List<String> lines = s.text().lines().toList();
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i).trim();
                if (line.startsWith("import ") || line.startsWith("package ") || line.startsWith("*") || line.startsWith("/*")
                        || line.startsWith("//")) {
                    continue;
                }
                String code = line.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"");
                if (FQN_IN_CODE.matcher(code).find()) {
                    offenders.add(s.className() + ":" + (i + 1));
                }
            }
        }
        assertEquals(List.of(), offenders);
    }
}
