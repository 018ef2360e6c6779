// Settings from the environment, checked at start with messages that say what to set.
export interface Config {
  /** The connector's API base, ending in /api (the demo prints it). */
  connectorApiUrl: string;
  /** The connector's function key: server side only, never sent to the browser. */
  functionKey: string;
  /** The connector's NOTIFY_WEBHOOK_SIGNING_SECRET ("whsec_…"); without it the webhook route answers 404. */
  webhookSecret?: string;
  port: number;
  /** Where browsers reach this app; the return URL (…/connected) must be in the connector's ALLOWED_RETURN_URLS. */
  publicUrl: string;
  /** Demo only: a page showing what the fake Graph received, with {connectionId} in it. */
  demoMailboxUrl?: string;
  /** Demo only: a page that puts a mail in the connection's user's inbox, with {connectionId} in it. */
  demoNewMailUrl?: string;
}

export function configFrom(env: NodeJS.ProcessEnv): Config {
  const problems: string[] = [];
  const need = (name: string, example: string) => {
    const value = env[name]?.trim();
    if (!value) problems.push(`${name} is missing. Example: ${name}=${example}`);
    return value ?? "";
  };
  const connectorApiUrl = need("CONNECTOR_API_URL", "http://localhost:7071/api").replace(/\/$/, "");
  const functionKey = need("CONNECTOR_FUNCTION_KEY", "<the function key the demo prints>");
  const port = Number(env.PORT ?? "3000");
  if (!Number.isInteger(port) || port < 0 || port > 65535) problems.push(`PORT must be a port number. Example: PORT=3000`);
  const webhookSecret = env.CONNECTOR_WEBHOOK_SECRET?.trim() || undefined;
  if (webhookSecret && !webhookSecret.startsWith("whsec_")) {
    problems.push("CONNECTOR_WEBHOOK_SECRET must be the connector's NOTIFY_WEBHOOK_SIGNING_SECRET (whsec_…).");
  }
  if (problems.length > 0) throw new Error("The sample web app's settings are not valid:\n- " + problems.join("\n- "));
  return {
    connectorApiUrl, functionKey, webhookSecret, port,
    publicUrl: (env.PUBLIC_URL?.trim() || `http://localhost:${port}`).replace(/\/$/, ""),
    demoMailboxUrl: env.DEMO_MAILBOX_URL?.trim() || undefined,
    demoNewMailUrl: env.DEMO_NEW_MAIL_URL?.trim() || undefined,
  };
}
