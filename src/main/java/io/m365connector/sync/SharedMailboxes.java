package io.m365connector.sync;

import com.azure.data.tables.TableClient;
import com.azure.data.tables.models.TableEntity;
import io.m365connector.outlook.MailRecipient;
import io.m365connector.platform.TableAccess;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

/**
 * The shared mailboxes whose inbox and calendar a connection syncs, as the web app named them: rows
 * {@code shared.<digest of the address>} in table {@code syncstate} beside the connection's sync state,
 * so a disconnect removes them with it. A shared mailbox is synced by delta polling alone: Graph's
 * delegated subscriptions do not cover other users' mailboxes.
 */
final class SharedMailboxes {
    /** The most shared mailboxes one connection syncs: each costs a delta run per resource every poll interval. */
    static final int MAX_PER_CONNECTION = 20;
    private static final String PREFIX = "shared.";

    private final TableAccess table;

    SharedMailboxes(TableClient table) {
        this.table = new TableAccess(table);
    }

    /** Why {@code address} cannot name a shared mailbox, or null. */
    static String problem(String address) {
        String problem = MailRecipient.problem(address);
        if (problem == null && SyncTarget.lowerCasesIntoAscii(address)) {
            return "Holds a letter that lower-cases to a plain one (such as the Kelvin sign, U+212A, to k): the mailbox kept would "
                    + "be another than the one named. Use the address's own letters.";
        }
        return problem;
    }

    /** Names the mailbox (again, after it was un-named); the caller has read that it is not named now. */
    void name(String connectionId, String mailbox, Instant at) {
        table.upsert(row(connectionId, mailbox, true).addProperty("NamedAt", at.atOffset(ZoneOffset.UTC)));
    }

    /**
     * No longer synced; the row stays (marked) until the connection is disconnected, so that its sync state and item
     * index, which are kept for a later naming to resume from, are still found and removed with the connection. The
     * caller has read that it is named: a row for every address a client un-names would pile up otherwise.
     */
    void unname(String connectionId, String mailbox) {
        table.upsert(row(connectionId, mailbox, false));
    }

    boolean contains(String connectionId, String mailbox) {
        return table.find(connectionId, PREFIX + SyncTarget.mailboxDigest(mailbox)).filter(SharedMailboxes::synced).isPresent();
    }

    /** The shared mailboxes the connection syncs now (addresses in lower case), in no particular order. */
    List<String> of(String connectionId) {
        return rows(connectionId).stream().filter(SharedMailboxes::synced).map(e -> (String) e.getProperty("Mailbox")).toList();
    }

    /** Every shared mailbox the connection has synced, named now or not: what a disconnect cleans up. */
    List<String> ever(String connectionId) {
        return rows(connectionId).stream().map(e -> (String) e.getProperty("Mailbox")).toList();
    }

    private List<TableEntity> rows(String connectionId) {
        return table.query("PartitionKey eq " + TableAccess.literal(connectionId) + " and RowKey ge 'shared.' and RowKey lt 'shared/'",
                Integer.MAX_VALUE);
    }

    private static TableEntity row(String connectionId, String mailbox, boolean synced) {
        String address = SyncTarget.canonical(mailbox);
        return new TableEntity(connectionId, PREFIX + SyncTarget.mailboxDigest(address)).addProperty("Mailbox", address)
                .addProperty("Synced", synced);
    }

    private static boolean synced(TableEntity e) {
        return !Boolean.FALSE.equals(e.getProperty("Synced"));
    }
}
