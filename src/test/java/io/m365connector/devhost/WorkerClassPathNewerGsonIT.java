package io.m365connector.devhost;

/** The Graph tests on the Gson of the Functions Java workers built since December 2024 (pom.xml, worker.gson.newer.version). */
class WorkerClassPathNewerGsonIT extends WorkerClassPathCheck {
    @Override
    String gsonVersion() {
        return System.getProperty("worker.gson.newer.version");
    }
}
