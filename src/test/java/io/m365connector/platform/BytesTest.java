package io.m365connector.platform;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.m365connector.actions.MailRequest;
import io.m365connector.connection.SealedTokens;
import io.m365connector.crypto.EncryptionKey;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The one implementation of copy, equality and redacted printing that byte-holding records share. */
class BytesTest {
    private static final byte[] SECRET = HexFormat.of().parseHex("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");

    @Test
    void whenTheSourceArrayChangesThenTheBytesDoNotAndNeitherDoesACopyTakenOut() {
        byte[] source = SECRET.clone();
        Bytes bytes = Bytes.copyOf(source);
        source[0] = 9;
        byte[] out = bytes.toArray();
        out[1] = 9;

        assertArrayEquals(SECRET, bytes.toArray());
    }

    @Test
    void whenTwoHoldTheSameContentThenTheyAreEqualAndRecordsHoldingThemToo() {
        assertEquals(Bytes.copyOf(SECRET), Bytes.copyOf(SECRET.clone()));
        assertEquals(new EncryptionKey("v1", SECRET), new EncryptionKey("v1", SECRET.clone()));
        assertEquals(new SealedTokens(SECRET, "v1").hashCode(), new SealedTokens(SECRET.clone(), "v1").hashCode());
        assertNotEquals(new SealedTokens(SECRET, "v1"), new SealedTokens(new byte[] {1}, "v1"));
    }

    @Test
    void whenARecordHoldingThemIsPrintedThenOnlyTheLengthShows() {
        String hex = HexFormat.of().formatHex(SECRET);
        for (Object holder : new Object[] {new EncryptionKey("v1", SECRET), new SealedTokens(SECRET, "v1"),
            new Settings.LocalKey(SECRET), new Settings.ClientCertificate(SECRET, "pfx-password"),
            new MailRequest.Attachment("a.bin", "application/octet-stream", SECRET, false, null)}) {
            String printed = holder.toString();
            assertFalse(printed.contains(hex) || printed.contains("pfx-password") || printed.contains("[B@"), printed);
        }
        assertEquals("[32 bytes, redacted]", Bytes.copyOf(SECRET).toString());
    }
}
