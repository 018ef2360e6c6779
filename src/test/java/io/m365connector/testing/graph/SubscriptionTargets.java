package io.m365connector.testing.graph;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Outlook resource paths a subscription may name, from the supported-resources table of
 * https://learn.microsoft.com/en-us/graph/change-notifications-overview and
 * https://learn.microsoft.com/en-us/graph/outlook-change-notifications-overview: {@code me/messages},
 * {@code me/mailFolders('{id}')/messages}, {@code me/events} and the same under {@code users/{id}} (object id,
 * UPN, or {@code AAD-UPN:} UPN). With delegated permissions only the signed-in user's mailbox
 * ("Delegated permission supports subscribing to items in folders in only the signed-in user's mailbox").
 */
final class SubscriptionTargets {
    private static final Pattern KEYED = Pattern.compile("([^(]+)\\('([^']*)'\\)");

    /** The target, or the error to answer. */
    record Parsed(SubscriptionState.Target target, SyncAnswer error) {
    }

    private SubscriptionTargets() {
    }

    /** Caller holds the fake's lock (folders are looked up in the store). */
    static Parsed parse(String resource, SyncRequest r, FakeMailStore store) {
        List<String> s = segments(resource);
        List<String> lower = s.stream().map(x -> x.toLowerCase(Locale.ROOT)).toList();
        List<String> rest;
        if (!lower.isEmpty() && lower.get(0).equals("me")) {
            rest = lower.subList(1, lower.size());
        } else if (lower.size() >= 2 && lower.get(0).equals("users")) {
            String ref = s.get(1).replaceFirst("(?i)^AAD-UPN:", "");
            if (!ref.equalsIgnoreCase(r.user().userPrincipalName()) && !ref.equalsIgnoreCase(r.user().objectId())) {
                return new Parsed(null, SyncAnswer.error(403, "ErrorAccessDenied", "Delegated permission supports subscribing to items "
                        + "in only the signed-in user's mailbox."));
            }
            rest = lower.subList(2, lower.size());
        } else {
            return unsupported(resource);
        }
        String mailbox = SyncValues.key(r.user().userPrincipalName());
        if (rest.equals(List.of("messages"))) {
            return new Parsed(new SubscriptionState.Target(mailbox, false, null), null);
        }
        if (rest.equals(List.of("events"))) {
            return new Parsed(new SubscriptionState.Target(mailbox, true, null), null);
        }
        if (rest.size() == 3 && rest.get(0).equals("mailfolders") && rest.get(2).equals("messages")) {
            String given = s.get(s.size() - 2);
            String folderId = store.state(r.user().userPrincipalName()).folderId(given);
            if (folderId == null) {
                return new Parsed(null, SyncAnswer.error(404, "ResourceNotFound", "The mail folder '" + given + "' was not found."));
            }
            return new Parsed(new SubscriptionState.Target(mailbox, false, folderId), null);
        }
        return unsupported(resource);
    }

    /** Path segments; {@code name('key')} becomes {@code name}, {@code key}; a leading slash is allowed. */
    static List<String> segments(String path) {
        List<String> result = new ArrayList<>();
        for (String part : path.trim().split("/")) {
            if (part.isEmpty()) {
                continue;
            }
            Matcher m = KEYED.matcher(part);
            if (m.matches()) {
                result.add(m.group(1));
                result.add(m.group(2));
            } else {
                result.add(part);
            }
        }
        return result;
    }

    private static Parsed unsupported(String resource) {
        return new Parsed(null, SyncAnswer.error(400, "InvalidRequest", "The resource '" + resource + "' is not supported by the fake "
                + "Microsoft Graph (Outlook messages, a mail folder's messages, events)."));
    }
}
