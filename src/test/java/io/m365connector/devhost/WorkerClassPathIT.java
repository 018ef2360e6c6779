package io.m365connector.devhost;

/** The Graph tests on the Gson of the oldest Functions Java worker the app supports (2.17.0 and before: pom.xml, worker.gson.version). */
class WorkerClassPathIT extends WorkerClassPathCheck {
    @Override
    String gsonVersion() {
        return System.getProperty("worker.gson.version");
    }
}
