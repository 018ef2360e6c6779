package io.m365connector.actions;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.m365connector.platform.Json;
import java.util.Optional;
import java.util.UUID;

/**
 * How far a send through a draft got, saved with the Idempotency-Key before each step a retry must
 * not repeat blindly:
 *
 * @param marker              a random value stored on the draft as an extended property, so a draft whose
 *                            creation answered ambiguously can be found
 * @param draftId             the draft, once created
 * @param attachmentsUploaded every attachment is on the draft
 * @param sendAttempted       the send request left: the draft is never sent again, only checked
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record MailProgress(String marker, String draftId, boolean attachmentsUploaded, boolean sendAttempted) {
    static MailProgress start() {
        return new MailProgress(UUID.randomUUID().toString(), null, false, false);
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
        return new MailProgress(marker, id, false, false);
    }

    MailProgress uploaded() {
        return new MailProgress(marker, draftId, true, false);
    }

    MailProgress sending() {
        return new MailProgress(marker, draftId, true, true);
    }

    MailProgress notSent() {
        return new MailProgress(marker, draftId, true, false);
    }
}
