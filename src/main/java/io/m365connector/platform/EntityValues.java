package io.m365connector.platform;

import com.azure.data.tables.models.TableEntity;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * Optional properties of a Table Storage row, written and read the same way by the connection and login session stores:
 * an absent value is no property (a REPLACE then removes it), times go in UTC, and a time read back may be an
 * {@link OffsetDateTime} (typed by the service) or its text.
 */
public final class EntityValues {
    private EntityValues() {
    }

    /** Adds the property unless {@code value} is null. */
    public static void putIfPresent(TableEntity e, String name, Object value) {
        if (value != null) {
            e.addProperty(name, value);
        }
    }

    /** The instant in UTC, as Table Storage stores a DateTime; null for null. */
    public static OffsetDateTime utc(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }

    public static String string(TableEntity e, String name) {
        Object value = e.getProperty(name);
        return value == null ? null : value.toString();
    }

    public static Instant instant(TableEntity e, String name) {
        Object value = e.getProperty(name);
        if (value == null) {
            return null;
        }
        return value instanceof OffsetDateTime odt ? odt.toInstant() : OffsetDateTime.parse(value.toString()).toInstant();
    }
}
