package io.m365connector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every relative link and anchor in the README and docs/ resolves: the file exists, and a #fragment
 * names a heading of that file (GitHub's anchor rules). The README stays short enough to read.
 */
class DocumentationLinksTest {
    private static final Pattern LINK = Pattern.compile("\\[[^\\]]*\\]\\(([^)\\s]+)\\)");
    private static final Pattern HEADING = Pattern.compile("^#{1,6}\\s+(.+?)\\s*$", Pattern.MULTILINE);
    private static final int README_MAX_LINES = 250;

    private static List<Path> documents() {
        List<Path> docs = new ArrayList<>(List.of(Path.of("README.md"), Path.of("SECURITY.md"), Path.of("BENCHMARKS.md"),
                Path.of("CHANGELOG.md"), Path.of("samples", "webapp", "README.md")));
        try (Stream<Path> files = Files.list(Path.of("docs"))) {
            files.filter(p -> p.toString().endsWith(".md")).sorted().forEach(docs::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return docs;
    }

    @Test
    void whenTheDocumentationIsReadThenEveryRelativeLinkAndAnchorResolves() throws IOException {
        List<String> broken = new ArrayList<>();
        int checked = 0;
        for (Path doc : documents()) {
            String text = withoutCodeBlocks(Files.readString(doc));
            Matcher m = LINK.matcher(text);
            while (m.find()) {
                String target = m.group(1);
                if (target.startsWith("http://") || target.startsWith("https://") || target.startsWith("mailto:")) {
                    continue;
                }
                checked++;
                int hash = target.indexOf('#');
                String file = hash < 0 ? target : target.substring(0, hash);
                String anchor = hash < 0 ? null : target.substring(hash + 1);
                Path resolved = file.isEmpty() ? doc : doc.toAbsolutePath().getParent().resolve(file).normalize();
                if (!Files.exists(resolved)) {
                    broken.add(doc + ": " + target + " (no such file)");
                } else if (anchor != null && resolved.toString().endsWith(".md") && !anchors(resolved).contains(anchor)) {
                    broken.add(doc + ": " + target + " (no such heading)");
                }
            }
        }
        assertTrue(checked > 20, "links were found: " + checked);
        assertEquals(List.of(), broken);
    }

    @Test
    void whenTheReadmeIsCountedThenItIsAtMostTwoHundredFiftyLines() throws IOException {
        long lines = Files.readString(Path.of("README.md")).lines().count();
        assertTrue(lines <= README_MAX_LINES, "README.md has " + lines + " lines; reference material belongs in docs/");
    }

    /** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, duplicates numbered. */
    static Set<String> anchors(Path markdown) {
        Set<String> anchors = new HashSet<>();
        try {
            Matcher m = HEADING.matcher(withoutCodeBlocks(Files.readString(markdown)));
            while (m.find()) {
                String slug = m.group(1).toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
                String unique = slug;
                for (int n = 1; !anchors.add(unique); n++) {
                    unique = slug + "-" + n;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return anchors;
    }

    private static String withoutCodeBlocks(String markdown) {
        return markdown.replaceAll("(?ms)^```.*?^```", "");
    }
}
