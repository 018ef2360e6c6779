package io.m365connector.sync;

import com.fasterxml.jackson.databind.JsonNode;
import io.m365connector.graph.GraphJsonRequests;
import io.m365connector.graph.GraphRetry.Safety;
import io.m365connector.graph.GraphSession;
import io.m365connector.graph.GraphTemplates;
import io.m365connector.graph.GraphValues;
import io.m365connector.platform.Lazy;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Graph refuses a second subscription to the same resource and change types with 409 ("Duplicate subscriptions aren't
 * allowed", Create subscription). Ours is the only kind this app makes for the user's resource, so the one in the way was
 * made by an instance that died before saving it, a create whose answer was lost, or a disconnect whose delete failed: none
 * delivers anywhere useful, and each would keep the resource on the timer until it expired (up to 70 hours). It is deleted,
 * unless another active connection holds it (the same user connected twice: that connection's notifications come through
 * it, and the other is synced by the timer).
 */
final class OrphanSubscriptions {
    private static final Logger LOG = Logger.getLogger(OrphanSubscriptions.class.getName());
    private static final String SUBSCRIPTIONS = "{+baseurl}/subscriptions" + GraphTemplates.COLLECTION_QUERY;

    /** {@code mailFolders('x')} or {@code mailFolders/x}, in any letter case. */
    private static final Pattern FOLDER = Pattern.compile("(?i)mailFolders(?:\\('([^']*)'\\)|/([^/]+))");
    /** Graph's well-known names of mail folders that a subscription may name (Learn: mailFolder resource type). */
    private static final Set<String> WELL_KNOWN = Set.of("inbox", "sentitems", "drafts", "deleteditems", "archive", "junkemail", "outbox",
            "clutter", "conversationhistory", "msgfolderroot", "recoverableitemsdeletions", "scheduled", "searchfolders");

    private OrphanSubscriptions() {
    }

    /**
     * Deletes (with {@code delete}) the app's subscriptions of {@code resource}'s kind that no other active connection holds
     * (one disconnected, whose clean-up failed, receives nothing through it); true when one was.
     */
    static boolean remove(GraphSession session, SyncResource resource, Subscriptions held, Predicate<String> active, Consumer<String> delete) {
        JsonNode listed = session.call(Safety.REPEATABLE, c -> GraphJsonRequests.get(c, SUBSCRIPTIONS, Map.of(), Map.of(), List.of()));
        Supplier<String> folderId = Lazy.of(() -> DeltaReader.folderId(session, SyncTarget.own(resource)));
        boolean removed = false;
        for (JsonNode s : listed.path("value")) {
            String id = GraphValues.text(s, "id");
            Optional<Subscriptions.Held> row = id == null ? Optional.empty() : held.find(id);
            boolean ours = id != null && row.map(h -> h.connectionId().equals(session.connectionId()) || !active.test(h.connectionId()))
                    .orElse(true);
            // a row says which resource it is; only a subscription no row names is judged by the path Graph lists
            boolean sameKind = row.map(h -> h.resource() == resource).orElseGet(() -> sameKind(resource, s.path("resource").asText(""), folderId));
            if (ours && sameKind) {
                LOG.info("Deleting an earlier " + resource.id() + " subscription of " + session.connectionId() + " that Graph still has"
                        + " that is no live one of its own (made by an instance that died, or whose answer was lost)");
                delete.accept(id);
                removed = true;
            }
        }
        return removed;
    }

    /**
     * Whether a listed subscription's resource is of the same kind as {@code resource}'s: the list holds only this app's
     * subscriptions for the signed-in user, who has one subscription per synced resource from us (events; each synced mail
     * folder's messages). Graph may answer the resource in another form than it was asked for ({@code Users/{id}/Messages}),
     * so the last segment decides, and for messages the folder: by its well-known name, or else by its id (read only then),
     * so that the inbox's 409 never deletes the live Sent Items subscription or the other way round.
     */
    static boolean sameKind(SyncResource resource, String listed, Supplier<String> folderId) {
        String path = listed.split("\\?")[0];
        String last = path.substring(path.lastIndexOf('/') + 1);
        if (!resource.isMailFolder()) {
            return last.equalsIgnoreCase("events");
        }
        if (!last.equalsIgnoreCase("messages")) {
            return false;
        }
        Matcher folder = FOLDER.matcher(path);
        if (!folder.find()) {
            return true; // Graph may list a folder's messages as Users/{id}/Messages: taken as ours (only unrecorded ones get here)
        }
        String named = folder.group(1) != null ? folder.group(1) : folder.group(2);
        if (named.equalsIgnoreCase(resource.folder())) {
            return true;
        }
        return !WELL_KNOWN.contains(named.toLowerCase(Locale.ROOT)) && named.equals(folderId.get());
    }
}
