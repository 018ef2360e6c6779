package io.m365connector.health;

import io.m365connector.platform.ConnectorException;
import io.m365connector.platform.ProblemCode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * Readiness: settings valid, Table Storage reachable, token key readable. Answers with a status per
 * check and stable codes only; the details (which setting, which vault) go to the log.
 */
public final class HealthService {
    private static final Logger LOG = Logger.getLogger(HealthService.class.getName());

    private final Map<String, Runnable> checks;

    public HealthService(Map<String, Runnable> checks) {
        this.checks = new LinkedHashMap<>(checks);
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
        return new Report(healthy ? "ok" : "unavailable", results);
    }

    public static Runnable of(Supplier<?> probe) {
        return probe::get;
    }

    public record Report(String status, Map<String, String> checks) {
        public boolean healthy() {
            return "ok".equals(status);
        }
    }
}
