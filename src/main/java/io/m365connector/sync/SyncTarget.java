package io.m365connector.sync;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * One thing kept in step for a connection: a resource (the inbox, the calendar) of the user's own
 * mailbox, or of a shared mailbox the user has rights on ({@code mailbox} = its address, lower case).
 * Its {@link #key()} names its rows (state, item index, schedule): the resource's id for the user's own,
 * the id and a digest of the address for a shared one (an address may hold characters a table key may not).
 */
public record SyncTarget(SyncResource resource, String mailbox) {
    public SyncTarget {
        Objects.requireNonNull(resource, "'resource' cannot be null.");
        mailbox = mailbox == null ? null : canonical(mailbox);
    }

    /**
     * A shared mailbox's address as it is kept (and its key made): lower case, as it always was. Addresses whose lower case
     * would name another mailbox are refused before ({@link #lowerCasesIntoAscii}).
     */
    static String canonical(String address) {
        return address.toLowerCase(Locale.ROOT);
    }

    /**
     * Whether lower-casing turns a non-ASCII character into ASCII: the Kelvin sign (U+212A) becomes a plain k, a dotted
     * capital I (U+0130) an i and a combining dot. Such an address would be kept as another mailbox than the one named.
     */
    static boolean lowerCasesIntoAscii(String address) {
        return address.codePoints().filter(cp -> cp > 127)
                .anyMatch(cp -> new String(Character.toChars(cp)).toLowerCase(Locale.ROOT).chars().anyMatch(c -> c < 128));
    }

    /** The resource of the connected user's own mailbox. */
    public static SyncTarget own(SyncResource resource) {
        return new SyncTarget(resource, null);
    }

    public static SyncTarget shared(SyncResource resource, String mailbox) {
        return new SyncTarget(resource, Objects.requireNonNull(mailbox, "'mailbox' cannot be null."));
    }

    public boolean isShared() {
        return mailbox != null;
    }

    /** The row key part that names this target: {@code inbox}, or {@code inbox.<digest of the address>}. */
    public String key() {
        return isShared() ? resource.id() + "." + mailboxDigest(mailbox) : resource.id();
    }

    /** Whether {@code key} names this target (a key read back from a table). */
    static Optional<SyncTarget> fromKey(String key, String mailbox) {
        int dot = key == null ? -1 : key.indexOf('.');
        Optional<SyncResource> resource = SyncResource.fromId(dot < 0 ? key : key.substring(0, dot));
        if (resource.isEmpty() || (dot >= 0) != (mailbox != null)) {
            return Optional.empty();
        }
        SyncTarget target = new SyncTarget(resource.get(), mailbox);
        return target.key().equals(key) ? Optional.of(target) : Optional.empty();
    }

    /** A shared mailbox's address as a table key may hold it. */
    static String mailboxDigest(String mailbox) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(canonical(mailbox).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 12); // hex: no '_' or '-', which the schedule's row keys use as separators
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return isShared() ? resource.id() + " of a shared mailbox" : resource.id();
    }
}
