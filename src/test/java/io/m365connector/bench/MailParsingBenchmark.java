package io.m365connector.bench;

import io.m365connector.actions.MailRequest;
import java.util.Arrays;
import java.util.Base64;

/**
 * CPU time of reading a send-mail request with attachments ({@link MailRequest#parse}: JSON, every field's text
 * rules, base64): what a large attachment costs before the first Graph call. No I/O; one thread.
 *
 * <p>Run: {@code mvn -B -Pbench -DskipTests -Dsample.skip=true -Dbench.class=io.m365connector.bench.MailParsingBenchmark
 * -Dbench.args="3 200" verify} (attachments of 1, 2 and 3 MB, i.e. {@code 3} → 6 MB in all; {@code 200} parses measured
 * after as many to warm up).
 */
public final class MailParsingBenchmark {
    public static void main(String[] args) {
        int largestMegabytes = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        int iterations = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        String body = request(largestMegabytes);
        for (int i = 0; i < iterations; i++) {
            parse(body);
        }
        long[] nanos = new long[iterations];
        for (int i = 0; i < iterations; i++) {
            long start = System.nanoTime();
            parse(body);
            nanos[i] = System.nanoTime() - start;
        }
        Arrays.sort(nanos);
        System.out.printf("RESULT request of %,d characters (attachments 1..%d MB), %d parses: p50 %.2f ms, p90 %.2f ms, min %.2f ms%n",
                body.length(), largestMegabytes, iterations, nanos[iterations / 2] / 1e6, nanos[iterations * 9 / 10] / 1e6, nanos[0] / 1e6);
    }

    private static void parse(String body) {
        MailRequest request = MailRequest.parse(body);
        if (request.attachments().isEmpty()) {
            throw new IllegalStateException("the attachments were not read");
        }
    }

    private static String request(int largestMegabytes) {
        StringBuilder attachments = new StringBuilder();
        for (int megabytes = 1; megabytes <= largestMegabytes; megabytes++) {
            byte[] content = new byte[megabytes * 1_000_000];
            for (int i = 0; i < content.length; i++) {
                content[i] = (byte) (i * 31);
            }
            attachments.append(attachments.length() == 0 ? "" : ",").append("{\"name\":\"part").append(megabytes)
                    .append(".bin\",\"contentType\":\"application/octet-stream\",\"contentBase64\":\"")
                    .append(Base64.getEncoder().encodeToString(content)).append("\"}");
        }
        return "{\"to\":[\"candidate@fabrikam.com\"],\"subject\":\"Your documents\",\"body\":\"Attached.\",\"attachments\":["
                + attachments + "]}";
    }
}
