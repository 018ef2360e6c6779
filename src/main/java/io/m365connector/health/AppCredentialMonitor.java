package io.m365connector.health;

import io.m365connector.cloud.NationalCloud;
import io.m365connector.credentials.AppCredentialListener;
import io.m365connector.credentials.AppCredentialStates;
import io.m365connector.credentials.AppCredentialStatus;
import io.m365connector.credentials.AppCredentialStatus.State;
import io.m365connector.credentials.AppCredentialStore;
import io.m365connector.credentials.AppCredentialStore.Stored;
import io.m365connector.credentials.Certificates;
import io.m365connector.credentials.CredentialConfiguration;
import io.m365connector.credentials.SecretExpiry;
import io.m365connector.health.CredentialVerdict.Probe;
import io.m365connector.platform.ProblemCode;
import io.m365connector.platform.Settings;
import io.m365connector.platform.Settings.AppRegistration;
import io.m365connector.platform.Settings.ClientCertificate;
import io.m365connector.platform.Settings.ClientSecret;
import io.m365connector.tokens.RefreshFailure;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiPredicate;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Proves each configured cloud's app credential works before users find out it does not: an
 * app-only token request to the registration's home tenant, plus the secret's or certificate's expiry.
 * The result is stored for every instance and kept for the check interval; a check runs from the timer
 * or the health endpoint, never on an action's request path. A change of state is recorded by exactly
 * one instance (conditional write), which logs it once and tells the {@link AppCredentialListener}.
 */
public final class AppCredentialMonitor implements AppCredentialStates {
    private static final Logger LOG = Logger.getLogger(AppCredentialMonitor.class.getName());
    /** How long this instance trusts the state it last read when a refresh asks. */
    static final Duration CURRENT_TTL = Duration.ofMinutes(1);

    /** The token request that proves a credential: {@code MsalClients::requestAppOnlyToken} in production. */
    @FunctionalInterface
    public interface TokenRequest {
        void requestAppOnlyToken(NationalCloud cloud, String homeTenant) throws Exception;
    }

    private record Cached(AppCredentialStatus status, Instant readAt) {
    }

    private record Outcome(Probe probe, ProblemCode refusal, String lastCheckCode) {
    }

    private final Settings settings;
    private final TokenRequest tokens;
    private final SecretExpiry secretExpiry;
    private final AppCredentialStore store;
    private final AppCredentialListener listener;
    private final Clock clock;
    private final Map<NationalCloud, Cached> cache = new ConcurrentHashMap<>();
    private final Map<NationalCloud, Object> rechecks = new ConcurrentHashMap<>();

    public AppCredentialMonitor(Settings settings, TokenRequest tokens, SecretExpiry secretExpiry, AppCredentialStore store,
                                AppCredentialListener listener, Clock clock) {
        this.settings = Objects.requireNonNull(settings, "'settings' cannot be null.");
        this.tokens = Objects.requireNonNull(tokens, "'tokens' cannot be null.");
        this.secretExpiry = Objects.requireNonNull(secretExpiry, "'secretExpiry' cannot be null.");
        this.store = Objects.requireNonNull(store, "'store' cannot be null.");
        this.listener = Objects.requireNonNull(listener, "'listener' cannot be null.");
        this.clock = Objects.requireNonNull(clock, "'clock' cannot be null.");
    }

    /** Checks every enabled cloud whose last check is older than the interval; the status of each, in cloud order. */
    public List<AppCredentialStatus> checkDue() {
        List<AppCredentialStatus> result = new ArrayList<>();
        for (NationalCloud cloud : NationalCloud.values()) {
            settings.registration(cloud).ifPresent(registration -> result.add(checkIfDue(registration)));
        }
        return result;
    }

    /** {@link #checkDue()} as the health report shows it, with what to do for each cloud. */
    public List<HealthService.CredentialReport> report() {
        List<HealthService.CredentialReport> report = new ArrayList<>();
        for (AppCredentialStatus s : checkDue()) {
            AppRegistration registration = settings.registration(s.cloud()).orElseThrow();
            report.add(new HealthService.CredentialReport(s.cloud().id(), s.kind(), s.state().id(), s.code() == null ? null : s.code().code(),
                    s.expiresAt(), s.expiresAt() == null ? null : AppCredentialGuidance.daysLeft(s.expiresAt(), clock.instant()),
                    s.checkedAt(), s.lastCheckCode(), s.changedAt(), AppCredentialGuidance.of(registration, s, settings.appCredentialPolicy())));
        }
        return report;
    }

    @Override
    public Optional<AppCredentialStatus> current(NationalCloud cloud) {
        Instant now = clock.instant();
        Cached cached = cache.get(cloud);
        if (cached != null && now.isBefore(cached.readAt().plus(CURRENT_TTL))) {
            return Optional.of(cached.status());
        }
        Optional<AppRegistration> registration = settings.registration(cloud);
        if (registration.isEmpty()) {
            return Optional.empty();
        }
        // Only a check of this instance's own configuration counts: another secret's verdict says nothing about ours.
        Optional<AppCredentialStatus> stored = store.find(cloud, CredentialConfiguration.fingerprint(registration.get())).map(Stored::status);
        stored.ifPresent(s -> cache.put(cloud, new Cached(s, now)));
        return stored;
    }

    /** One check per cloud at a time on this instance: a burst of refused refreshes waits for the first one's check. */
    @Override
    public Optional<AppCredentialStatus> recheck(NationalCloud cloud, Instant since) {
        Optional<AppRegistration> registration = settings.registration(cloud);
        if (registration.isEmpty() || registration.get().check().homeTenant().isEmpty()) {
            return current(cloud); // nothing a check could tell
        }
        synchronized (rechecks.computeIfAbsent(cloud, c -> new Object())) {
            return Optional.of(checkIfDue(registration.get(), (status, now) -> !status.checkedAt().isBefore(since)));
        }
    }

    private AppCredentialStatus checkIfDue(AppRegistration registration) {
        Duration interval = settings.appCredentialPolicy().checkInterval();
        return checkIfDue(registration, (status, now) -> now.isBefore(status.checkedAt().plus(interval)));
    }

    /** @param stands whether the last check (of this configuration's kind) stands at the given time */
    private AppCredentialStatus checkIfDue(AppRegistration registration, BiPredicate<AppCredentialStatus, Instant> stands) {
        NationalCloud cloud = registration.cloud();
        String configuration = CredentialConfiguration.fingerprint(registration);
        Optional<Stored> stored = store.find(cloud, configuration);
        for (int attempt = 1; ; attempt++) {
            Instant now = clock.instant();
            Optional<AppCredentialStatus> previous = stored.map(Stored::status);
            if (previous.filter(p -> p.kind().equals(registration.credential().kind()) && stands.test(p, now)).isPresent()) {
                return remember(previous.get());
            }
            AppCredentialStatus next = evaluate(registration, previous, now);
            if (!next.sameStateAs(previous.orElse(null))) {
                listener.beforeChange(previous, next, configuration); // the web app's event, queued (hidden) before the row
            }
            if (store.save(next, configuration, stored.map(Stored::etag).orElse(null))) {
                if (!next.sameStateAs(previous.orElse(null))) {
                    log(registration, previous, next);
                    listener.changed(previous, next);
                }
                return remember(next);
            }
            // Another instance recorded a check meanwhile: its result stands (it logged and announced any change).
            stored = store.find(cloud, configuration);
            if (attempt >= 3 || stored.isEmpty()) {
                return remember(stored.map(Stored::status).orElse(next));
            }
        }
    }

    private AppCredentialStatus evaluate(AppRegistration registration, Optional<AppCredentialStatus> previous, Instant now) {
        String kind = registration.credential().kind();
        Optional<Instant> expires = expiry(registration, previous);
        Outcome outcome = requestToken(registration);
        State state = CredentialVerdict.state(outcome.probe(), expires, now, settings.appCredentialPolicy(), previous, kind);
        ProblemCode code = CredentialVerdict.code(state, outcome.probe(), outcome.refusal(), previous, kind);
        AppCredentialStatus draft = new AppCredentialStatus(registration.cloud(), kind, state, code, expires.orElse(null), now, now,
                outcome.lastCheckCode());
        Instant since = previous.filter(draft::sameStateAs).map(AppCredentialStatus::changedAt).orElse(now);
        return new AppCredentialStatus(registration.cloud(), kind, state, code, expires.orElse(null), now, since, outcome.lastCheckCode());
    }

    private Outcome requestToken(AppRegistration registration) {
        Optional<String> tenant = registration.check().homeTenant();
        if (tenant.isEmpty()) {
            return new Outcome(Probe.NOT_CONFIGURED, null, null);
        }
        try {
            tokens.requestAppOnlyToken(registration.cloud(), tenant.get());
            return new Outcome(Probe.ACCEPTED, null, "ok");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Outcome(Probe.UNREACHABLE, null, ProblemCode.TEMPORARILY_UNAVAILABLE.code());
        } catch (Exception e) {
            RefreshFailure failure = RefreshFailure.classify(e);
            // At the registration's own home tenant, "app not found in the directory" means the registration is gone.
            ProblemCode code = failure.code() == ProblemCode.APP_NOT_IN_TENANT ? ProblemCode.APP_REGISTRATION_NOT_FOUND : failure.code();
            if (RefreshFailure.kindOf(code) != RefreshFailure.Kind.CONFIGURATION) {
                LOG.fine("App credential check of " + registration.cloud().id() + " could not decide: " + failure.summary());
                return new Outcome(Probe.UNREACHABLE, null, code.code());
            }
            return new Outcome(Probe.REFUSED, code, code.code());
        }
    }

    /** Certificate: its notAfter. Secret: the explicit setting, else the Key Vault secret's expires attribute. */
    private Optional<Instant> expiry(AppRegistration registration, Optional<AppCredentialStatus> previous) {
        if (registration.credential() instanceof ClientCertificate certificate) {
            return Certificates.notAfter(certificate);
        }
        if (!(registration.credential() instanceof ClientSecret)) {
            return Optional.empty();
        }
        if (registration.check().secretExpires().isPresent()) {
            return registration.check().secretExpires();
        }
        return registration.check().secretKeyVaultUrl().flatMap(url -> {
            try {
                return secretExpiry.expiresOn(url);
            } catch (RuntimeException e) {
                LOG.warning("Could not read the expiry of the " + registration.cloud().id() + " client secret from Key Vault ("
                        + e.getClass().getSimpleName() + "); keeping the last known one. Check that the secret exists there (a 404), "
                        + "and the identity's Key Vault Secrets User role (a 403).");
                return previous.map(AppCredentialStatus::expiresAt);
            }
        });
    }

    private AppCredentialStatus remember(AppCredentialStatus status) {
        cache.put(status.cloud(), new Cached(status, clock.instant()));
        return status;
    }

    private void log(AppRegistration registration, Optional<AppCredentialStatus> previous, AppCredentialStatus next) {
        Level level = next.state() == State.OK || (next.state() == State.UNKNOWN && previous.isEmpty()) ? Level.INFO : Level.WARNING;
        LOG.log(level, "App credential of the " + next.cloud().id() + " cloud (" + next.kind() + ") is now " + next.state().id()
                + (next.code() == null ? "" : " (" + next.code().code() + ")")
                + previous.map(p -> ", was " + p.state().id()).orElse("")
                + (next.expiresAt() == null ? "" : "; expires " + next.expiresAt())
                + ". " + AppCredentialGuidance.of(registration, next, settings.appCredentialPolicy()));
    }
}
