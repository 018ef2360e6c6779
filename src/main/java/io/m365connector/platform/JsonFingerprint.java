package io.m365connector.platform;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;

/**
 * SHA-256 of a JSON request in canonical form (object members sorted by name, no whitespace), so
 * two requests that differ only in formatting or member order have the same fingerprint. Streamed
 * into the digest: a 50 MB mail is not copied into a second string to be hashed.
 */
public final class JsonFingerprint {
    private JsonFingerprint() {
    }

    public static String of(String operation, JsonNode json) {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            sha256.update((operation + "\n").getBytes(StandardCharsets.UTF_8));
            try (JsonGenerator out = Json.MAPPER.getFactory().createGenerator(new DigestOutputStream(OutputStream.nullOutputStream(), sha256))) {
                write(out, json);
            }
            return HexFormat.of().formatHex(sha256.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(JsonGenerator out, JsonNode node) throws IOException {
        if (node.isObject()) {
            List<String> names = new ArrayList<>();
            for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
                names.add(it.next());
            }
            names.sort(null);
            out.writeStartObject();
            for (String name : names) {
                out.writeFieldName(name);
                write(out, node.get(name));
            }
            out.writeEndObject();
        } else if (node.isArray()) {
            out.writeStartArray();
            for (JsonNode element : node) {
                write(out, element);
            }
            out.writeEndArray();
        } else {
            out.writeTree(node);
        }
    }
}
