package io.m365connector.app;

import com.microsoft.azure.functions.spi.inject.FunctionInstanceInjector;

/**
 * The Functions worker's hook for creating function class instances (registered in
 * META-INF/services). Each invocation gets a fresh instance wired to the shared {@link AppContext}.
 */
public final class AppFunctionInstanceInjector implements FunctionInstanceInjector {
    @Override
    public <T> T getInstance(Class<T> functionClass) {
        return AppContext.shared().newFunction(functionClass);
    }
}
