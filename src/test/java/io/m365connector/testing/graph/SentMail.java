package io.m365connector.testing.graph;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * A message the fake Graph accepted for delivery: from a sent draft or from sendMail.
 *
 * @param mailboxUpn the mailbox it was sent from (the one in the request path, lower case)
 * @param sentAs the sending address: the message's {@code from} if set, else the mailbox
 * @param message the message as delivered: Graph's camelCase property names, {@code from} and {@code sender}
 *     filled in, {@code sentDateTime}, {@code internetMessageId}, attachments with contentBytes, and (not a
 *     Graph message property, recorded for assertions) {@code saveToSentItems}
 * @param sentAt when the fake accepted it
 */
public record SentMail(String mailboxUpn, String sentAs, JsonNode message, Instant sentAt) {
    /** The message's subject, or null. */
    public String subject() {
        JsonNode subject = message.get("subject");
        return subject == null || subject.isNull() ? null : subject.asText();
    }
}
