package io.m365connector.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Which of the app's listed subscriptions a 409 lets a run delete: only its own resource's kind. Since Sent Items is synced
 * beside the inbox, both are {@code messages}: the folder decides, or the inbox's 409 would delete the live Sent Items
 * subscription (and the other way round).
 */
class OrphanSubscriptionsTest {
    private static final Supplier<String> NO_READ = () -> {
        throw new AssertionError("a well-known name decides without reading the folder's id");
    };

    @Test
    void whenTheListedResourceNamesAFolderByNameThenOnlyThatFoldersResourceIsOfItsKind() {
        assertTrue(OrphanSubscriptions.sameKind(SyncResource.INBOX, "me/mailFolders('inbox')/messages", NO_READ));
        assertTrue(OrphanSubscriptions.sameKind(SyncResource.INBOX, "Users/0b1c/MailFolders('Inbox')/Messages", NO_READ));
        assertTrue(OrphanSubscriptions.sameKind(SyncResource.SENT_ITEMS, "users/0b1c/mailFolders/sentitems/messages", NO_READ));
        assertFalse(OrphanSubscriptions.sameKind(SyncResource.INBOX, "me/mailFolders('sentitems')/messages", NO_READ));
        assertFalse(OrphanSubscriptions.sameKind(SyncResource.SENT_ITEMS, "Users/0b1c/mailFolders('inbox')/messages", NO_READ));
        assertFalse(OrphanSubscriptions.sameKind(SyncResource.INBOX, "me/mailFolders('drafts')/messages", NO_READ));
    }

    @Test
    void whenGraphAnswersTheFolderByItsIdThenTheIdIsReadOnceAndDecides() {
        AtomicInteger reads = new AtomicInteger();
        Supplier<String> inboxId = () -> {
            reads.incrementAndGet();
            return "AQMkADInbox";
        };
        assertTrue(OrphanSubscriptions.sameKind(SyncResource.INBOX, "Users/0b1c/mailFolders('AQMkADInbox')/Messages", inboxId));
        assertFalse(OrphanSubscriptions.sameKind(SyncResource.INBOX, "Users/0b1c/mailFolders('AQMkADSent')/Messages", inboxId));
        assertEquals(2, reads.get(), "read per call here; remove() memoizes it per run");
    }

    @Test
    void whenTheResourceIsNotAFoldersMessagesThenOnlyTheCalendarTakesEvents() {
        assertTrue(OrphanSubscriptions.sameKind(SyncResource.CALENDAR, "me/events", NO_READ));
        assertTrue(OrphanSubscriptions.sameKind(SyncResource.CALENDAR, "Users/0b1c/Events", NO_READ));
        assertFalse(OrphanSubscriptions.sameKind(SyncResource.CALENDAR, "me/mailFolders('inbox')/messages", NO_READ));
        assertFalse(OrphanSubscriptions.sameKind(SyncResource.INBOX, "me/events", NO_READ));
        assertTrue(OrphanSubscriptions.sameKind(SyncResource.INBOX, "Users/0b1c/Messages", NO_READ),
                "Graph may list a folder's messages so: taken as ours (a subscription a row names is judged by its row)");
    }
}
