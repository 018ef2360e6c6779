package io.m365connector.health;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.m365connector.platform.ConnectorException;
import io.m365connector.platform.ProblemCode;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * Readiness: settings valid, Table Storage reachable, token key readable; and the state of each
 * cloud's app credential. Answers with a status per check and stable codes only; the details (which
 * setting, which vault) go to the log. An invalid app credential makes the report "degraded", not
 * unavailable: the other clouds, status reads and disconnects still work. Webhook events given up on make it degraded
 * too: status events the web app never got.
 */
public final class HealthService {
    private static final Logger LOG = Logger.getLogger(HealthService.class.getName());

    private final Map<String, Runnable> checks;
    private final Supplier<List<CredentialReport>> credentials;
    private final GivenUpWebhooks givenUpWebhooks;

    /** The queue where webhook events given up on wait, and how many it holds (empty without a webhook). */
    public record GivenUpWebhooks(String queue, Supplier<OptionalLong> count) {
        static final GivenUpWebhooks NONE = new GivenUpWebhooks("", OptionalLong::empty);
    }

    public HealthService(Map<String, Runnable> checks) {
        this(checks, List::of, GivenUpWebhooks.NONE);
    }

    /**
     * @param credentials     the app credential of each enabled cloud (checked when the last check is older than the interval)
     * @param givenUpWebhooks how many webhook events wait in the poison queue for an operator; empty without a webhook
     */
    public HealthService(Map<String, Runnable> checks, Supplier<List<CredentialReport>> credentials, GivenUpWebhooks givenUpWebhooks) {
        this.checks = new LinkedHashMap<>(checks);
        this.credentials = credentials;
        this.givenUpWebhooks = givenUpWebhooks;
    }

    public Report check() {
        Map<String, String> results = new LinkedHashMap<>();
        boolean healthy = true;
        for (Map.Entry<String, Runnable> check : checks.entrySet()) {
            try {
                check.getValue().run();
                results.put(check.getKey(), "ok");
            } catch (ConnectorException e) {
                healthy = false;
                results.put(check.getKey(), e.code().code());
                LOG.warning("Health check " + check.getKey() + " failed: " + e.detail());
            } catch (RuntimeException e) {
                healthy = false;
                results.put(check.getKey(), ProblemCode.INTERNAL_ERROR.code());
                LOG.warning("Health check " + check.getKey() + " failed: " + e.getClass().getName());
            }
        }
        List<CredentialReport> appCredentials = healthy ? appCredentials() : List.of();
        WebhookReport webhooks = healthy ? webhooks() : null;
        boolean degraded = appCredentials.stream().anyMatch(c -> "invalid".equals(c.state()))
                || (webhooks != null && (webhooks.givenUp() == null || webhooks.givenUp() > 0));
        return new Report(!healthy ? "unavailable" : degraded ? "degraded" : "ok", results, appCredentials, webhooks);
    }

    private WebhookReport webhooks() {
        try {
            OptionalLong givenUp = givenUpWebhooks.count().get();
            return givenUp.isEmpty() ? null : new WebhookReport(givenUpWebhooks.queue(), givenUp.getAsLong());
        } catch (RuntimeException e) {
            LOG.warning("Could not count the webhook events given up on: " + e.getClass().getSimpleName());
            return new WebhookReport(givenUpWebhooks.queue(), null); // unknown is not "none": degraded
        }
    }

    private List<CredentialReport> appCredentials() {
        try {
            return credentials.get();
        } catch (RuntimeException e) {
            LOG.warning("App credential check failed: " + e.getClass().getSimpleName()
                    + (e instanceof ConnectorException c ? " (" + c.detail() + ")" : ""));
            return List.of();
        }
    }

    public static Runnable of(Supplier<?> probe) {
        return probe::get;
    }

    /**
     * {@code ok}, {@code degraded} (an app credential is invalid, or webhook events were given up on; answered 200) or
     * {@code unavailable} (503).
     */
    public record Report(String status, Map<String, String> checks, List<CredentialReport> appCredentials,
                         @JsonInclude(JsonInclude.Include.NON_NULL) WebhookReport webhooks) {
        public boolean healthy() {
            return !"unavailable".equals(status);
        }
    }

    /**
     * The webhook events the connector gave up on (the web app did not take them for about a day, or answered 410 Gone),
     * waiting in {@code queue} for an operator (OPERATIONS.md, Webhooks): an approximate count, as the queue service keeps it;
     * null when the queue could not be read.
     */
    public record WebhookReport(String queue, @JsonInclude(JsonInclude.Include.NON_NULL) Long givenUp) {
    }

    /**
     * One cloud's app credential as the health report shows it.
     *
     * @param state     ok | expiring | expiring_soon | invalid | unknown
     * @param code      why it is invalid (an {@code app_*} problem code)
     * @param daysLeft  whole days until {@code expiresAt}, when known
     * @param lastCheck outcome of the last app-only token request: ok, a problem code, or absent when not configured
     * @param since     when it entered this state
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record CredentialReport(String cloud, String kind, String state, String code, Instant expiresAt, Long daysLeft,
                                   Instant lastCheckedAt, String lastCheck, Instant since, String guidance) {
    }
}
