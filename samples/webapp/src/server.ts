// Starts the sample web app: npm start (after npm run build), with the settings of config.ts.
import { createApp } from "./app.js";
import { configFrom } from "./config.js";

let config;
try {
  config = configFrom(process.env);
} catch (e) {
  console.error((e as Error).message);
  process.exit(2);
}
const server = createApp(config).listen(config.port, "localhost", () => {
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  console.log(`Sample web app listening on http://localhost:${port} (connector API ${config.connectorApiUrl}, webhooks `
    + (config.webhookSecret ? "verified at /webhooks/m365-connector" : "off: set CONNECTOR_WEBHOOK_SECRET") + ")");
});
server.on("error", (e) => {
  console.error(`The sample web app cannot listen on port ${config.port}: ${(e as Error).message}`);
  process.exit(1);
});
function stop(): void {
  server.close(() => process.exit(0));
  server.closeAllConnections();
}
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, stop);
}
// Started by the demo (PARENT_STDIN=1), stdin is a pipe from the demo's JVM: its end means the demo is gone, even
// when it was killed outright and no SIGTERM comes, so the app stops too instead of staying behind on its port.
if (process.env.PARENT_STDIN === "1") {
  process.stdin.on("end", stop);
  process.stdin.resume();
}
