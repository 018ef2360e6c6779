package io.m365connector.connection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.data.tables.TableClient;
import com.azure.data.tables.TableServiceClient;
import com.azure.data.tables.models.TableEntity;
import com.azure.data.tables.models.TableEntityUpdateMode;
import io.m365connector.app.AzureClients;
import io.m365connector.cloud.HostingCloud;
import io.m365connector.cloud.NationalCloud;
import io.m365connector.crypto.LocalKeyProvider;
import io.m365connector.crypto.TokenCipher;
import io.m365connector.crypto.TokenDecryptionException;
import io.m365connector.crypto.TokenSealer;
import io.m365connector.platform.Settings.HttpSettings;
import io.m365connector.platform.Settings.StorageSettings;
import io.m365connector.platform.Sleeper;
import io.m365connector.platform.StorageUnavailableException;
import io.m365connector.platform.http.HostRouting;
import io.m365connector.platform.http.OutboundHttp;
import io.m365connector.testing.Azurite;
import io.m365connector.testing.CountingHttpClient;
import io.m365connector.testing.RecordingSleeper;
import io.m365connector.testing.SecretsLedger;
import io.m365connector.testing.TestConnections;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The connection store on the real Table Storage SDK against Azurite started by the suite. */
class TableConnectionStoreTest {
    private static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");

    private final OutboundHttp http = new OutboundHttp(new HttpSettings(Duration.ofSeconds(10), Optional.empty()), HostRouting.DIRECT);
    private final CountingHttpClient counting = new CountingHttpClient(http.azureHttpClient());
    private final TokenSealer sealer = new TokenSealer(new LocalKeyProvider(SecretsLedger.remember(new byte[] {
        9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 9, 8})), new TokenCipher());
    private TableClient connectionsTable;
    private TableClient dueTable;
    private TableClient ownersTable;
    private TableConnectionStore store;

    @BeforeEach
    void setUp() {
        TableServiceClient service = AzureClients.tableService(
                new StorageSettings(Optional.of(Azurite.shared().connectionString()), Optional.empty()),
                HostingCloud.GLOBAL, () -> null, counting, Sleeper.REAL);
        String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        connectionsTable = service.getTableClient("connections" + suffix);
        dueTable = service.getTableClient("refreshdue" + suffix);
        ownersTable = service.getTableClient("connectionowners" + suffix);
        store = new TableConnectionStore(connectionsTable, dueTable, ownersTable);
    }

    @Test
    void whenConnectionIsCreatedThenEveryFieldReadsBackAndTokensDecrypt() {
        Connection connection = withTokens(TestConnections.active(NationalCloud.USGOVDOD, NOW, NOW.plusSeconds(3000)), "{\"rt\":\"secret-1\"}");
        store.create(connection);

        Connection read = store.find(connection.id()).orElseThrow();
        assertEquals(connection.ownerId(), read.ownerId());
        assertEquals(NationalCloud.USGOVDOD, read.cloud());
        assertEquals(ConnectionStatus.ACTIVE, read.status());
        assertEquals(connection.account(), read.account());
        assertEquals(Set.of(Feature.MAIL, Feature.CALENDAR), read.features());
        assertEquals(connection.grantedScopes(), read.grantedScopes());
        assertEquals(connection.refresh(), read.refresh());
        assertEquals(connection.createdAt(), read.createdAt());
        assertEquals(connection.tokens(), read.tokens());
        assertEquals("{\"rt\":\"secret-1\"}", sealer.open(read.id(), read.cloud(), read.tokens()));
        assertTrue(read.missingScopes().isEmpty());
    }

    @Test
    void whenIdIsUnknownOrMalformedThenNothingIsFound() {
        assertTrue(store.find(Connection.newId()).isEmpty());
        assertTrue(store.find("con_../../etc").isEmpty());
    }

    @Test
    void whenSameIdIsCreatedTwiceThenSecondCreateIsAConflict() {
        Connection connection = TestConnections.active(NationalCloud.GLOBAL, NOW, null);
        store.create(connection);
        assertThrows(ConcurrentUpdateException.class, () -> store.create(connection));
    }

    @Test
    void whenStaleCopyIsSavedThenItFailsAndTheNewerTokensSurvive() {
        Connection created = store.create(withTokens(TestConnections.active(NationalCloud.GLOBAL, NOW, NOW.plusSeconds(600)), "{\"rt\":\"v0\"}"));
        Connection first = store.find(created.id()).orElseThrow();
        Connection second = store.find(created.id()).orElseThrow();

        store.update(withTokens(first, "{\"rt\":\"rotated-by-first\"}"));
        assertThrows(ConcurrentUpdateException.class, () -> store.update(withTokens(second, "{\"rt\":\"stale\"}")));

        Connection stored = store.find(created.id()).orElseThrow();
        assertEquals("{\"rt\":\"rotated-by-first\"}", sealer.open(stored.id(), stored.cloud(), stored.tokens()));
    }

    @Test
    void whenUpdatedInSequenceThenEachWriteUsesTheVersionItGotBack() {
        Connection c = store.create(TestConnections.active(NationalCloud.GLOBAL, NOW, NOW.plusSeconds(60)));
        c = store.update(c.toBuilder().status(ConnectionStatus.NEEDS_REAUTH).build());
        c = store.update(c.toBuilder().status(ConnectionStatus.ACTIVE).build());
        assertEquals(ConnectionStatus.ACTIVE, store.find(c.id()).orElseThrow().status());
    }

    @Test
    void whenSweepingThenOnlyDueRowsAreReadWhateverTheNumberNotDue() {
        List<String> due = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            due.add(store.create(TestConnections.active(NationalCloud.GLOBAL, NOW, NOW.minusSeconds(10L * (i + 1)))).id());
        }
        for (int i = 0; i < 60; i++) {
            store.create(TestConnections.active(NationalCloud.GLOBAL, NOW, NOW.plusSeconds(60L * (i + 1))));
        }
        store.create(TestConnections.active(NationalCloud.GLOBAL, NOW, null));
        counting.reset();

        List<DueConnection> found = store.findDue(NOW, 1000);

        assertEquals(Set.copyOf(due), found.stream().map(DueConnection::connectionId).collect(Collectors.toSet()));
        assertEquals(6, counting.entitiesRead(), "entities read by the sweep");
        for (int i = 1; i < found.size(); i++) {
            assertFalse(found.get(i).dueAt().isBefore(found.get(i - 1).dueAt()), "earliest first");
        }
    }

    @Test
    void whenDueExactlyNowThenItIsDueAndLimitIsHonoured() {
        store.create(TestConnections.active(NationalCloud.GLOBAL, NOW, NOW));
        store.create(TestConnections.active(NationalCloud.GLOBAL, NOW, NOW.minusSeconds(5)));
        store.create(TestConnections.active(NationalCloud.GLOBAL, NOW, NOW.plusMillis(1)));
        assertEquals(2, store.findDue(NOW, 10).size());
        assertEquals(1, store.findDue(NOW, 1).size());
        assertEquals(NOW.minusSeconds(5), store.findDue(NOW, 1).get(0).dueAt());
    }

    @Test
    void whenDueTimeMovesThenTheOldIndexEntryIsGone() {
        Connection c = store.create(TestConnections.active(NationalCloud.GLOBAL, NOW, NOW.minusSeconds(1)));
        assertEquals(1, store.findDue(NOW, 10).size());
        store.update(c.toBuilder().refresh(new Connection.RefreshState(null, NOW.plusSeconds(3600), NOW, null, 0, NOW)).build());
        assertEquals(0, store.findDue(NOW, 10).size());
        assertEquals(1, store.findDue(NOW.plusSeconds(3600), 10).size());
        assertEquals(1, count(dueTable));
    }

    @Test
    void whenIndexEntryIsStaleThenForgetDueRemovesIt() {
        Connection c = store.create(TestConnections.active(NationalCloud.GLOBAL, NOW, NOW.minusSeconds(1)));
        DueConnection stale = new DueConnection(c.id(), NOW.minusSeconds(100));
        dueTable.upsertEntity(new TableEntity("due-" + TableConnectionStore.shardOf(c.id()),
                String.format("%013d", stale.dueAt().toEpochMilli()) + "_" + c.id()));
        assertEquals(2, store.findDue(NOW, 10).size());
        store.forgetDue(stale);
        assertEquals(List.of(new DueConnection(c.id(), NOW.minusSeconds(1))), store.findDue(NOW, 10));
    }

    @Test
    void whenDeletedThenNoRowIndexEntryOrCiphertextRemains() {
        Connection c = store.create(withTokens(TestConnections.active(NationalCloud.CHINA, NOW, NOW.minusSeconds(1)), "{\"rt\":\"gone\"}"));
        byte[] ciphertext = c.tokens().ciphertext().toArray();
        store.delete(c.id());
        assertTrue(store.find(c.id()).isEmpty());
        assertEquals(0, count(connectionsTable));
        assertEquals(0, count(dueTable));
        assertTrue(store.findDue(NOW, 10).isEmpty());
        store.delete(c.id());
        assertFalse(rawDump().contains(Base64.getEncoder().encodeToString(ciphertext)));
    }

    @Test
    void whenTokensAreRemovedThenTheStoredRowHoldsNoCiphertext() {
        Connection c = store.create(withTokens(TestConnections.active(NationalCloud.GLOBAL, NOW, NOW.plusSeconds(60)), "{\"rt\":\"x\"}"));
        store.update(c.toBuilder().tokens(null).status(ConnectionStatus.DISCONNECTED)
                .refresh(Connection.RefreshState.NONE).build());
        TableEntity raw = connectionsTable.getEntity(c.id(), c.id());
        assertNull(raw.getProperty("TokenCache"));
        assertNull(raw.getProperty("TokenKeyVersion"));
        assertEquals(ConnectionStatus.DISCONNECTED, store.find(c.id()).orElseThrow().status());
        assertEquals(0, count(dueTable), "a disconnected connection is never due");
    }

    @Test
    void whenTwoRowsCiphertextsAreSwappedThenNeitherDecrypts() {
        Connection a = store.create(withTokens(TestConnections.active(NationalCloud.GLOBAL, NOW, null), "{\"rt\":\"a\"}"));
        Connection b = store.create(withTokens(TestConnections.active(NationalCloud.GLOBAL, NOW, null), "{\"rt\":\"b\"}"));
        TableEntity rawA = connectionsTable.getEntity(a.id(), a.id());
        TableEntity rawB = connectionsTable.getEntity(b.id(), b.id());
        Object cipherA = rawA.getProperty("TokenCache");
        rawA.addProperty("TokenCache", rawB.getProperty("TokenCache"));
        rawB.addProperty("TokenCache", cipherA);
        connectionsTable.updateEntity(rawA, TableEntityUpdateMode.REPLACE);
        connectionsTable.updateEntity(rawB, TableEntityUpdateMode.REPLACE);

        Connection swappedA = store.find(a.id()).orElseThrow();
        Connection swappedB = store.find(b.id()).orElseThrow();
        assertThrows(TokenDecryptionException.class, () -> sealer.open(swappedA.id(), swappedA.cloud(), swappedA.tokens()));
        assertThrows(TokenDecryptionException.class, () -> sealer.open(swappedB.id(), swappedB.cloud(), swappedB.tokens()));
    }

    @Test
    void whenAnOwnerIsListedThenOnlyTheirIndexPartitionAndTheirRowsAreReadNewestFirst() {
        List<String> mine = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            mine.add(0, store.create(owned("recruiter-7", NOW.plusSeconds(i))).id());
        }
        for (int i = 0; i < 40; i++) {
            store.create(owned("someone-else-" + (i % 4), NOW.plusSeconds(i)));
        }
        counting.reset();

        ConnectionPage page = store.listByOwner(new OwnerQuery("recruiter-7", Set.of(), 10, null));

        assertEquals(mine, page.connections().stream().map(Connection::id).toList(), "newest first");
        assertNull(page.next());
        assertEquals(1, counting.queries(), "one index query");
        assertEquals(3, counting.entitiesRead(), "index entries read: the owner's only");
        assertEquals(1 + 3, counting.requests(), "the index query and one point read per connection, nothing else");
    }

    @Test
    void whenPagesAreFollowedThenEachConnectionComesOnceAndTheStatusFilterHolds() {
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            Connection c = owned("owner-p", NOW.plusSeconds(i));
            c = i % 2 == 0 ? c : c.toBuilder().status(ConnectionStatus.NEEDS_REAUTH).build();
            String id = store.create(c).id();
            if (i % 2 == 0) {
                expected.add(0, id);
            }
        }
        List<String> seen = new ArrayList<>();
        String after = null;
        int pages = 0;
        do {
            ConnectionPage page = store.listByOwner(new OwnerQuery("owner-p", Set.of(ConnectionStatus.ACTIVE), 2, after));
            assertTrue(page.connections().size() <= 2);
            page.connections().forEach(c -> seen.add(c.id()));
            after = page.next();
            pages++;
        } while (after != null && pages < 10);

        assertEquals(expected, seen, "every active connection once, newest first; none of the others");
    }

    @Test
    void whenACreateOrDeleteWasInterruptedThenTheLeftoverIndexEntryIsSkipped() {
        Connection older = store.create(owned("owner-c", NOW));
        Connection orphaned = store.create(owned("owner-c", NOW.plusSeconds(1)));
        Connection newer = store.create(owned("owner-c", NOW.plusSeconds(2)));
        connectionsTable.deleteEntity(orphaned.id(), orphaned.id()); // as if the process died between row and index

        List<String> listed = new ArrayList<>();
        String after = null;
        int pages = 0;
        do {
            ConnectionPage page = store.listByOwner(new OwnerQuery("owner-c", Set.of(), 1, after));
            page.connections().forEach(c -> listed.add(c.id()));
            after = page.next();
            pages++;
        } while (after != null && pages < 5);

        assertEquals(List.of(newer.id(), older.id()), listed);
        assertEquals(2, pages, "the entry without a row cost no page of its own");
    }

    @Test
    void whenAConnectionIsDeletedThenItsOwnerIndexEntryGoesToo() {
        Connection c = store.create(owned("owner-d", NOW));
        store.delete(c.id());

        assertEquals(List.of(), store.listByOwner(new OwnerQuery("owner-d", Set.of(), 10, null)).connections());
        assertEquals(0, ownersTable.listEntities().stream().count(), "no entry left behind");
    }

    @Test
    void whenARowFromBeforeTheOwnerIndexIsUpdatedThenItIsListedFromThenOn() {
        Connection c = store.create(owned("owner-old", NOW));
        ownersTable.listEntities().forEach(e -> ownersTable.deleteEntity(e.getPartitionKey(), e.getRowKey()));
        TableEntity row = connectionsTable.getEntity(c.id(), c.id());
        row.getProperties().remove("OwnerIndexed");
        connectionsTable.upsertEntityWithResponse(row, TableEntityUpdateMode.REPLACE, null, null);
        assertEquals(List.of(), store.listByOwner(new OwnerQuery("owner-old", Set.of(), 10, null)).connections(), "not indexed yet");

        Connection read = store.find(c.id()).orElseThrow();
        assertFalse(read.version().ownerIndexed());
        store.update(read.toBuilder().updatedAt(NOW.plusSeconds(5)).build());

        assertEquals(List.of(c.id()), store.listByOwner(new OwnerQuery("owner-old", Set.of(), 10, null)).connections().stream()
                .map(Connection::id).toList());
        assertTrue(store.find(c.id()).orElseThrow().version().ownerIndexed());
    }

    private static Connection owned(String owner, Instant created) {
        Connection c = TestConnections.active(NationalCloud.GLOBAL, created, created.plusSeconds(3000));
        return Connection.builder(c.id(), owner, c.cloud(), created).status(c.status()).account(c.account()).features(c.features())
                .grantedScopes(c.grantedScopes()).refresh(c.refresh()).build();
    }

    @Test
    void whenStorageIsUnreachableThenAStorageErrorNamesTheSettingAfterRetriesWaitedOnTheAppsSleeper() {
        RecordingSleeper sleeper = new RecordingSleeper(Duration.ZERO);
        TableServiceClient dead = AzureClients.tableService(new StorageSettings(Optional.of(
                "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=" + Base64.getEncoder().encodeToString(new byte[64])
                        + ";TableEndpoint=http://127.0.0.1:1/devstoreaccount1;"), Optional.empty()), HostingCloud.GLOBAL, () -> null,
                http.azureHttpClient(), sleeper);
        TableConnectionStore unreachable = new TableConnectionStore(dead.getTableClient("connections"), dead.getTableClient("refreshdue"),
                dead.getTableClient("connectionowners"));
        StorageUnavailableException e = assertThrows(StorageUnavailableException.class, () -> unreachable.find(Connection.newId()));
        assertTrue(e.getMessage().contains("AzureWebJobsStorage"));
        assertNotEquals(null, e.code());
        // azure-core's three retries, their backoff (100 ms doubling, ±5 % jitter, at most 1 s) waited on the sleeper, not in Thread.sleep
        List<Duration> waits = sleeper.waits();
        assertEquals(3, waits.size(), waits.toString());
        for (int retry = 0; retry < 3; retry++) {
            long expected = 100L << retry;
            long millis = waits.get(retry).toMillis();
            assertTrue(millis >= expected * 0.95 - 1 && millis <= expected * 1.05 + 1, "retry " + retry + " waited " + waits);
        }
    }

    private Connection withTokens(Connection c, String cache) {
        return c.toBuilder().tokens(SealedTokensLedger.remember(sealer.seal(c.id(), c.cloud(), cache))).build();
    }

    private static int count(TableClient table) {
        int n = 0;
        for (TableEntity ignored : table.listEntities()) {
            n++;
        }
        return n;
    }

    private String rawDump() {
        StringBuilder all = new StringBuilder();
        connectionsTable.listEntities().forEach(e -> all.append(e.getProperties()));
        dueTable.listEntities().forEach(e -> all.append(e.getProperties()));
        return all.toString();
    }

    /** Ciphertexts are secrets for the log-leak test too. */
    private static final class SealedTokensLedger {
        static SealedTokens remember(SealedTokens sealed) {
            SecretsLedger.remember(sealed.ciphertext().toArray());
            return sealed;
        }
    }
}
