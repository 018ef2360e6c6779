package io.m365connector.testing.graph;

import io.m365connector.cloud.NationalCloud;
import io.m365connector.testing.entra.FakeUser;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An authenticated call handed from {@link FakeGraph} to a sync class.
 *
 * @param rest path segments after {@code /me} or {@code /users/{id}} (or after {@code /subscriptions}),
 *     {@code name('key')} segments already split in two
 * @param mailboxPath {@code me} or {@code users/{id}} as the request named the mailbox, for links
 * @param mailboxUpn the mailbox the call acts on (for subscriptions: the caller's own)
 * @param params decoded query parameters
 * @param headers request headers, case-insensitive names
 * @param support what the request's cloud serves
 */
record SyncRequest(String method, String host, NationalCloud cloud, List<String> rest, String mailboxPath, String mailboxUpn,
                   FakeUser user, Set<String> scopes, String clientId, Map<String, String> params, Map<String, String> headers,
                   String body, SyncCloudSupport support) {
    private static final Pattern IMMUTABLE = Pattern.compile("IdType\\s*=\\s*\"?ImmutableId\"?", Pattern.CASE_INSENSITIVE);
    private static final Pattern MAX_PAGE = Pattern.compile("odata\\.maxpagesize\\s*=\\s*(\\d+)", Pattern.CASE_INSENSITIVE);
    private static final Pattern BODY_TYPE = Pattern.compile("outlook\\.body-content-type\\s*=\\s*\"?(text|html)\"?", Pattern.CASE_INSENSITIVE);
    private static final Pattern ZONE = Pattern.compile("outlook\\.timezone\\s*=\\s*\"([^\"]+)\"", Pattern.CASE_INSENSITIVE);

    String baseUrl() {
        return "https://" + host + "/v1.0";
    }

    String prefer() {
        String p = headers.get("Prefer");
        return p == null ? "" : p;
    }

    /** {@code Prefer: IdType="ImmutableId"}: only for the request it is on (outlook-immutable-id). */
    boolean wantsImmutableIds() {
        return IMMUTABLE.matcher(prefer()).find();
    }

    /** Whether ids in the answer are immutable ones: asked for, and served in this cloud. */
    boolean immutableIds() {
        return support.immutableIds() && wantsImmutableIds();
    }

    /** {@code Prefer: odata.maxpagesize=N}, or null. */
    Integer maxPageSize() {
        Matcher m = MAX_PAGE.matcher(prefer());
        return m.find() ? Integer.valueOf(Math.min(Integer.MAX_VALUE, Long.valueOf(m.group(1)).intValue())) : null;
    }

    /** {@code text} or {@code html} from {@code Prefer: outlook.body-content-type}, or null. */
    String bodyType() {
        Matcher m = BODY_TYPE.matcher(prefer());
        return m.find() ? m.group(1).toLowerCase(Locale.ROOT) : null;
    }

    /** The zone of {@code Prefer: outlook.timezone="..."}, or null. */
    String timeZone() {
        Matcher m = ZONE.matcher(prefer());
        return m.find() ? m.group(1) : null;
    }

    boolean hasAnyScope(Set<String> accepted) {
        return scopes.stream().anyMatch(s -> accepted.contains(s.toLowerCase(Locale.ROOT)));
    }

    String param(String name) {
        return params.get(name);
    }
}
