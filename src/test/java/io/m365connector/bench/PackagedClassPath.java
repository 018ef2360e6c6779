package io.m365connector.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A benchmark child's class path made of jars only: the packaged app as {@code mvn package} writes it for the
 * Functions host (the app jar and {@code lib/*.jar}), then the test classes the child drives it with, put in a jar
 * here, then the test-scope libraries. Class data sharing archives classes from jars only (a class-path directory
 * makes the JVM refuse to dump an archive), so this is the class path on which AppCDS can be measured.
 */
final class PackagedClassPath {
    private PackagedClassPath() {
    }

    static String build(Path appDir, Path testClasses, Path testJar, String parentClassPath) throws IOException {
        if (!Files.isDirectory(appDir.resolve("lib"))) {
            throw new IllegalStateException("no packaged app at " + appDir + ": run mvn package first");
        }
        List<String> entries = new ArrayList<>(jarsIn(appDir));
        List<String> lib = jarsIn(appDir.resolve("lib"));
        entries.addAll(lib);
        entries.add(jar(testClasses, testJar).toString());
        Set<String> packagedNames = lib.stream().map(p -> Path.of(p).getFileName().toString()).collect(Collectors.toSet());
        for (String entry : parentClassPath.split(java.io.File.pathSeparator)) {
            // Test-scope libraries (BouncyCastle for the test PKI, JUnit) are on the parent's class path only.
            if (entry.endsWith(".jar") && !packagedNames.contains(Path.of(entry).getFileName().toString())) {
                entries.add(entry);
            }
        }
        return String.join(java.io.File.pathSeparator, entries);
    }

    private static List<String> jarsIn(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.toString().endsWith(".jar")).map(f -> f.toAbsolutePath().toString()).sorted().toList();
        }
    }

    private static Path jar(Path classes, Path out) throws IOException {
        Files.createDirectories(out.getParent());
        try (JarOutputStream jar = new JarOutputStream(Files.newOutputStream(out)); Stream<Path> files = Files.walk(classes)) {
            for (Path file : files.sorted().toList()) {
                String name = classes.relativize(file).toString().replace('\\', '/');
                if (name.isEmpty()) {
                    continue;
                }
                if (Files.isDirectory(file)) {
                    jar.putNextEntry(new JarEntry(name + "/"));
                } else {
                    jar.putNextEntry(new JarEntry(name));
                    copy(file, jar);
                }
                jar.closeEntry();
            }
        }
        return out.toAbsolutePath();
    }

    private static void copy(Path file, OutputStream out) throws IOException {
        Files.copy(file, out);
    }
}
