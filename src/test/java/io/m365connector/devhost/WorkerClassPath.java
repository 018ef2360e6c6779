package io.m365connector.devhost;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The class loaders the Azure Functions Java worker builds for the packaged app (azure-functions-java-worker
 * 2.17.0, {@code reflect/EnhancedClassLoaderProvider}): {@code new URLClassLoader(app jar + lib/*.jar)} whose
 * parent is the system class loader, which holds the worker's own jar. Java's class loaders ask their parent
 * first, so every class the worker jar carries unrelocated (Gson, see its pom's shade relocations) comes from
 * the worker, and the app's copy in lib/ is never used.
 */
final class WorkerClassPath {
    static final Path APP = Path.of("target", "azure-functions", "m365-connector");
    static final Path WORKER_JARS = Path.of("target", "worker-classpath");

    private WorkerClassPath() {
    }

    /** Stands in for the worker's system class loader: the JDK plus the worker's unrelocated libraries. */
    static URLClassLoader workerLoader(List<Path> workerJars) {
        return new URLClassLoader("functions-worker", urls(workerJars), ClassLoader.getPlatformClassLoader());
    }

    /**
     * The app's loader as the worker builds it over {@code parent}, followed by {@code extra} (test classes and
     * test-only libraries, after the packaged jars so the packaged copy of a library is the one loaded).
     */
    static URLClassLoader appLoader(ClassLoader parent, List<Path> extra) {
        List<Path> paths = new ArrayList<>(packagedJars());
        paths.addAll(extra);
        return new URLClassLoader("functions-app", urls(paths), parent);
    }

    /** The app jar and lib/*.jar of the package `mvn package` wrote, the files the worker is given. */
    static List<Path> packagedJars() {
        try (Stream<Path> top = Files.list(APP); Stream<Path> lib = Files.list(APP.resolve("lib"))) {
            List<Path> jars = new ArrayList<>(top.filter(p -> p.toString().endsWith(".jar")).sorted().toList());
            jars.addAll(lib.filter(p -> p.toString().endsWith(".jar")).sorted().toList());
            if (jars.size() < 2) {
                throw new IllegalStateException("no packaged app in " + APP + ": run mvn package first");
            }
            return jars;
        } catch (IOException e) {
            throw new UncheckedIOException("no packaged app in " + APP + ": run mvn package first", e);
        }
    }

    /**
     * This JVM's test class path without what the package already holds: the compiled main classes (the packaged
     * app jar stands for them), the project's own jar, the libraries lib/ ships and any Gson.
     */
    static List<Path> testOnlyClassPath() {
        Set<String> packaged = packagedJars().stream().map(p -> p.getFileName().toString()).collect(Collectors.toSet());
        Path mainClasses = Path.of("target", "classes").toAbsolutePath();
        List<Path> extra = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path path = Path.of(entry).toAbsolutePath();
            String name = path.getFileName().toString();
            boolean projectJar = path.getParent() != null && path.getParent().equals(Path.of("target").toAbsolutePath())
                    && name.endsWith(".jar");
            if (!path.equals(mainClasses) && !projectJar && !packaged.contains(name) && !name.startsWith("gson-")) {
                extra.add(path);
            }
        }
        return extra;
    }

    private static URL[] urls(List<Path> paths) {
        return paths.stream().map(p -> {
            try {
                return p.toUri().toURL();
            } catch (MalformedURLException e) {
                throw new IllegalArgumentException(p.toString(), e);
            }
        }).toArray(URL[]::new);
    }
}
