package io.m365connector.actions;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A mail that Microsoft Graph accepted for delivery.
 *
 * @param from       the shared mailbox it was sent from, null for the user's own
 * @param recipients how many addresses in to, cc and bcc
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record MailSent(String connectionId, String status, String from, int recipients) {
    static MailSent of(String connectionId, MailRequest request) {
        return new MailSent(connectionId, "sent", request.from(), request.to().size() + request.cc().size() + request.bcc().size());
    }
}
