/**
 * A web frontend's use of mailsync, type-checked against openapi.yaml.
 *
 * `npm run generate` turns the contract into `src/schema.d.ts` (openapi-typescript); openapi-fetch
 * then types every path, parameter, body and answer from it. `npm run check` regenerates the types
 * and runs `tsc --noEmit`: a contract change that breaks this code breaks CI.
 *
 * The scenario is the one the Java client drives in `GeneratedClientScenarioTest`: an account, a
 * device, a sync job followed to its end, the changes, an acknowledgement, one message opened (parsed,
 * raw source, one attachment), and the error answers a frontend has to handle.
 */
import createClient, { type Client, type Middleware } from "openapi-fetch";
import type { components, paths } from "./schema";

export type Account = components["schemas"]["Account"];
export type Device = components["schemas"]["Device"];
export type SyncJob = components["schemas"]["SyncJob"];
export type Changes = components["schemas"]["Changes"];
export type MessageContent = components["schemas"]["MessageContent"];
export type Problem = components["schemas"]["Problem"];

export type MailsyncClient = Client<paths>;

/** A client whose every request carries the user's bearer token. */
export function mailsyncClient(baseUrl: string, token: () => string): MailsyncClient {
  const client = createClient<paths>({ baseUrl });
  const auth: Middleware = {
    onRequest({ request }) {
      request.headers.set("Authorization", `Bearer ${token()}`);
      return request;
    },
  };
  client.use(auth);
  return client;
}

/** An error answer of mailsync: the HTTP status and its RFC 9457 problem document. */
export class MailsyncError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
  ) {
    super(`${status} ${problem.code}: ${problem.detail ?? problem.title}`);
  }

  /** The fields a 400 VALIDATION names, for showing next to the form inputs. */
  get fields(): string[] {
    return (this.problem.errors ?? []).map((e) => e.field);
  }
}

function fail(response: Response, problem: Problem | undefined): never {
  throw new MailsyncError(
    response.status,
    problem ?? { type: "about:blank", title: response.statusText, status: response.status, code: "INTERNAL" },
  );
}

export interface Mailbox {
  host: string;
  port: number;
  username: string;
  password: string;
}

export async function createAccount(client: MailsyncClient, mailbox: Mailbox): Promise<Account> {
  const { data, error, response } = await client.POST("/v1/accounts", {
    body: {
      name: "Work",
      protocol: "IMAP",
      host: mailbox.host,
      port: mailbox.port,
      security: "TLS",
      username: mailbox.username,
      password: mailbox.password,
      imapDeleteMode: "TRASH",
    },
  });
  if (!data) fail(response, error);
  // @ts-expect-error the password is write-only: an Account never carries it
  void data.password;
  return data;
}

export async function createDevice(client: MailsyncClient, accountId: string): Promise<Device> {
  const { data, error, response } = await client.POST("/v1/accounts/{accountId}/devices", {
    params: { path: { accountId } },
    body: { name: "browser tab", platform: "WEB", view: { windowDays: 30 } },
  });
  if (!data) fail(response, error);
  return data;
}

/** Schedules a sync (carrying the device's changes, if any) and follows the job until it ends. */
export async function sync(
  client: MailsyncClient,
  accountId: string,
  deviceId: string,
  changes: components["schemas"]["DeviceChange"][] = [],
): Promise<SyncJob> {
  const scheduled = await client.POST("/v1/accounts/{accountId}/devices/{deviceId}/sync-jobs", {
    params: {
      path: { accountId, deviceId },
      header: { "Idempotency-Key": crypto.randomUUID() },
    },
    body: { changes },
  });
  if (!scheduled.data) fail(scheduled.response, scheduled.error);
  let job: SyncJob = scheduled.data;
  while (job.status === "QUEUED" || job.status === "RUNNING") {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const { data, error, response } = await client.GET("/v1/sync-jobs/{jobId}", {
      params: { path: { jobId: job.id } },
    });
    if (!data) fail(response, error);
    job = data;
  }
  return job;
}

/**
 * Everything after `since`, page by page. A state older than the tombstones answers 410
 * STATE_EXPIRED: the device then reloads its whole view with listMessages (not shown).
 */
export async function changesSince(
  client: MailsyncClient,
  accountId: string,
  deviceId: string,
  since: string | undefined,
): Promise<{ pages: Changes[]; state: string }> {
  const pages: Changes[] = [];
  let state = since;
  for (;;) {
    const { data, error, response } = await client.GET("/v1/accounts/{accountId}/devices/{deviceId}/changes", {
      params: { path: { accountId, deviceId }, query: { limit: 200, ...(state ? { since: state } : {}) } },
    });
    if (!data) fail(response, error);
    pages.push(data);
    state = data.newState;
    if (!data.hasMore) return { pages, state };
  }
}

export async function acknowledge(
  client: MailsyncClient,
  accountId: string,
  deviceId: string,
  state: string,
): Promise<void> {
  const { error, response } = await client.POST("/v1/accounts/{accountId}/devices/{deviceId}/ack", {
    params: { path: { accountId, deviceId } },
    body: { state },
  });
  if (!response.ok) fail(response, error);
}

/** Opens a message: parsed headers and bodies, then the raw source and its first attachment. */
export async function openMessage(
  client: MailsyncClient,
  accountId: string,
  messageId: string,
): Promise<{ content: MessageContent; raw: string; firstAttachment: Blob | undefined }> {
  const path = { accountId, messageId };
  const opened = await client.GET("/v1/accounts/{accountId}/messages/{messageId}", { params: { path } });
  if (!opened.data) fail(opened.response, opened.error);
  const content = opened.data;

  const raw = await client.GET("/v1/accounts/{accountId}/messages/{messageId}/raw", {
    params: { path },
    parseAs: "text",
  });
  if (raw.data === undefined) fail(raw.response, raw.error);

  const part = content.attachments?.[0];
  let firstAttachment: Blob | undefined;
  if (part) {
    const attachment = await client.GET("/v1/accounts/{accountId}/messages/{messageId}/attachments/{partId}", {
      params: { path: { ...path, partId: part.partId } },
      parseAs: "blob",
    });
    if (!attachment.data) fail(attachment.response, attachment.error);
    firstAttachment = attachment.data;
  }
  return { content, raw: raw.data, firstAttachment };
}

/** The whole scenario, as a frontend would run it on first start. */
export async function scenario(baseUrl: string, token: () => string, mailbox: Mailbox): Promise<void> {
  const client = mailsyncClient(baseUrl, token);
  const account = await createAccount(client, mailbox);
  const device = await createDevice(client, account.id);

  const first = await sync(client, account.id, device.id);
  if (first.status !== "SUCCEEDED") {
    // A failed job names a stable code: AUTH_FAILED asks the user for the password again.
    throw new Error(`sync ended ${first.status}: ${first.error?.code ?? "no code"}`);
  }
  const { pages, state } = await changesSince(client, account.id, device.id, undefined);
  const created = pages.flatMap((page) => page.messages.created);
  await acknowledge(client, account.id, device.id, state);

  const newest = created[0];
  if (newest) {
    // Flag it on every device and on the server; the job answers each change.
    const flagged = await sync(client, account.id, device.id, [
      { type: "SET_FLAGS", changeId: "flag-1", messageId: newest.id, add: ["\\Flagged"] },
    ]);
    const result = flagged.results?.[0];
    console.log(`flag: ${result?.status ?? "no result"}${result?.reason ? ` (${result.reason})` : ""}`);

    const { content, raw, firstAttachment } = await openMessage(client, account.id, newest.id);
    console.log(content.subject, content.text?.length, raw.length, firstAttachment?.size);
  }

  // Errors a frontend must handle, each answered as a Problem.
  try {
    await createAccount(client, { ...mailbox, port: 0 });
  } catch (e) {
    if (e instanceof MailsyncError && e.status === 400) console.log("fix these fields:", e.fields);
    else throw e;
  }
  const missing = await client.GET("/v1/accounts/{accountId}", { params: { path: { accountId: "no-such-id" } } });
  if (missing.response.status === 404) console.log(missing.error?.code);
  const foreign = await client.GET("/v1/accounts/{accountId}/devices/{deviceId}/changes", {
    params: { path: { accountId: account.id, deviceId: device.id }, query: { since: "not-a-state" } },
  });
  if (foreign.response.status === 409) console.log(foreign.error?.code); // INVALID_STATE: reload the view
}
