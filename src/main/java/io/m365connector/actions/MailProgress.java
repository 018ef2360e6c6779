package io.m365connector.actions;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.m365connector.platform.Json;
import java.util.Optional;
import java.util.UUID;

/**
 * How far a send got, saved with the Idempotency-Key before the step a retry must not repeat (the send)
 * and after Graph refused it:
 *
 * @param marker              a random value stored on the draft as an extended property, so a draft whose
 *                            creation answered ambiguously can be found
 * @param draftId             the draft, once created
 * @param attachmentsUploaded every attachment is on the draft
 * @param sendAttempted       the draft's send request is about to leave (or left): the draft is never sent again, only checked
 * @param directSend          sendMail (saveToSentItems=false) is about to be called (or was): never called again, since
 *                            nothing is left to look at afterwards
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record MailProgress(String marker, String draftId, boolean attachmentsUploaded, boolean sendAttempted, boolean directSend) {
    static MailProgress start() {
        return new MailProgress(UUID.randomUUID().toString(), null, false, false, false);
    }

    /** Nothing sent and no draft: sendMail was refused or never left, or Graph lost the draft; a retry starts over. */
    static MailProgress none() {
        return new MailProgress(null, null, false, false, false);
    }

    /** The record saved before sendMail is called. */
    static MailProgress directSending() {
        return new MailProgress(null, null, false, false, true);
    }

    static MailProgress read(Optional<String> saved) {
        if (saved.isEmpty()) {
            return start();
        }
        try {
            return Json.MAPPER.readValue(saved.get(), MailProgress.class);
        } catch (Exception e) {
            return start();
        }
    }

    String json() {
        return Json.write(this);
    }

    MailProgress withDraft(String id) {
        return new MailProgress(marker, id, false, false, false);
    }

    MailProgress uploaded() {
        return new MailProgress(marker, draftId, true, false, false);
    }

    MailProgress sending() {
        return new MailProgress(marker, draftId, true, true, false);
    }

    MailProgress notSent() {
        return new MailProgress(marker, draftId, true, false, false);
    }
}
