package io.m365connector.platform;

import java.util.Objects;
import java.util.function.Supplier;

/**
 * A value built on first use and kept. Clients are built lazily so a cold start pays only for what
 * the invoked function needs. A failed build is not remembered: the next call tries again (for
 * example after Key Vault comes back).
 */
public final class Lazy<T> implements Supplier<T> {
    private final Supplier<T> factory;
    private volatile T value;

    private Lazy(Supplier<T> factory) {
        this.factory = Objects.requireNonNull(factory, "'factory' cannot be null.");
    }

    public static <T> Lazy<T> of(Supplier<T> factory) {
        return new Lazy<>(factory);
    }

    @Override
    public T get() {
        T result = value;
        if (result == null) {
            synchronized (this) {
                if (value == null) {
                    value = Objects.requireNonNull(factory.get(), "a lazy factory returned null");
                }
                result = value;
            }
        }
        return result;
    }
}
