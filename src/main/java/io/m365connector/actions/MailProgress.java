package io.m365connector.actions;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.m365connector.platform.Json;
import java.util.Optional;
import java.util.UUID;

/**
 * How far a send got, saved with the Idempotency-Key before the step a retry must not repeat (the send, and on the
 * draft path the draft's creation) and after Graph refused it:
 *
 * @param marker              a random value stored on the message (the draft, or the copy sendMail keeps in Sent Items) as an
 *                            extended property, so a draft whose creation answered ambiguously, or the copy, can be found
 * @param draftId             the draft, once created
 * @param attachmentsUploaded every attachment is on the draft
 * @param sendAttempted       the send request (the draft's, or without a draft sendMail's) is about to leave (or left): never
 *                            sent again, only looked for
 * @param directSend          sendMail (saveToSentItems=false) is about to be called (or was): never called again, since
 *                            nothing is left to look at afterwards
 *
 * <p>sendMail keeping its copy in Sent Items records {@code marker} and {@code sendAttempted} without a draft
 * ({@link #keptSend}): only fields a version of the connector from before this path knows (its JSON reader refuses
 * unknown fields, and would then start over and send). Such a version reads it as a draft send to look at, finds no
 * draft id to look at and fails the request (500) without sending; a retry served by this version settles it.
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

    /** The record saved before sendMail (saveToSentItems=false) is called. */
    static MailProgress directSending() {
        return new MailProgress(null, null, false, false, true);
    }

    /** The record saved before sendMail keeping its copy in Sent Items is called: the tag that finds the copy. */
    static MailProgress keptSending() {
        return new MailProgress(UUID.randomUUID().toString(), null, false, true, false);
    }

    /** sendMail keeping its copy, tagged with {@link #marker}, was about to be called (or was): only looked for, never again. */
    boolean keptSend() {
        return sendAttempted && draftId == null && marker != null;
    }

    /** A draft was made, or its marker claimed: the draft path finishes (or cleans up) what it started. */
    boolean draftStarted() {
        return !keptSend() && (marker != null || draftId != null);
    }

    /** The saved progress; a record this version cannot read is never taken for "nothing done yet": it may have been sent. */
    static MailProgress read(Optional<String> saved, String connectionId) {
        if (saved.isEmpty()) {
            return start();
        }
        try {
            return Json.MAPPER.readValue(saved.get(), MailProgress.class);
        } catch (Exception e) {
            throw DeliveryUnconfirmed.unreadableRecord(connectionId);
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
