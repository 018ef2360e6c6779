package io.m365connector.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;

/**
 * A bare HTTP/1.1 client for hostile-input tests: sends exactly the bytes it is given (header values
 * with control or non-ASCII characters, malformed targets) where a well-behaved client would refuse
 * to, over one connection per request.
 */
public final class RawHttp {
    private RawHttp() {
    }

    /** A response: status and body (headers are not needed by the tests). */
    public record Response(int status, byte[] body) {
    }

    public static Response send(int port, String method, String target, Map<String, String> headers, byte[] body) throws IOException {
        try (Socket socket = new Socket("localhost", port)) {
            socket.setSoTimeout(15_000);
            ByteArrayOutputStream request = new ByteArrayOutputStream();
            write(request, method + " " + target + " HTTP/1.1\r\nHost: localhost:" + port + "\r\nConnection: close\r\n");
            for (Map.Entry<String, String> h : headers.entrySet()) {
                write(request, h.getKey() + ": " + h.getValue() + "\r\n");
            }
            if (body != null) {
                write(request, "Content-Length: " + body.length + "\r\n");
            }
            write(request, "\r\n");
            if (body != null) {
                request.write(body);
            }
            OutputStream out = socket.getOutputStream();
            out.write(request.toByteArray());
            out.flush();
            return read(socket.getInputStream());
        }
    }

    private static void write(ByteArrayOutputStream out, String text) {
        out.writeBytes(text.getBytes(StandardCharsets.UTF_8));
    }

    private static Response read(InputStream in) throws IOException {
        byte[] all = in.readAllBytes();
        String head = new String(all, 0, Math.min(all.length, 64 * 1024), StandardCharsets.ISO_8859_1);
        int end = head.indexOf("\r\n\r\n");
        if (end < 0) {
            throw new IOException("no HTTP response head in " + all.length + " bytes");
        }
        int status = Integer.parseInt(head.substring(9, 12));
        byte[] body = Arrays.copyOfRange(all, end + 4, all.length);
        if (head.substring(0, end).toLowerCase(Locale.ROOT).contains("transfer-encoding: chunked")) {
            body = unchunk(body);
        }
        return new Response(status, body);
    }

    private static byte[] unchunk(byte[] chunked) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int i = 0;
        while (i < chunked.length) {
            int lineEnd = i;
            while (lineEnd + 1 < chunked.length && !(chunked[lineEnd] == '\r' && chunked[lineEnd + 1] == '\n')) {
                lineEnd++;
            }
            int size = Integer.parseInt(new String(chunked, i, lineEnd - i, StandardCharsets.ISO_8859_1).trim().split(";")[0], 16);
            if (size == 0) {
                break;
            }
            out.write(chunked, lineEnd + 2, size);
            i = lineEnd + 2 + size + 2;
        }
        return out.toByteArray();
    }
}
