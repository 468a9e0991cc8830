// What the scenarios of run.mjs share: the browser, the run's settings, and the steps many scenarios take
// (sign in, make a knowledge base, upload and wait, open its chat, ask, save settings, keep screenshots).
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { chromium } from "playwright-core";

const BROWSER = process.env.JISIK_CHROMIUM ?? "/usr/bin/chromium";
export const BASE = (process.env.JISIK_GATEWAY_URL ?? "").replace(/\/$/, "");
export const KEY = process.env.JISIK_API_KEY ?? "";
export const WORK = process.env.JISIK_E2E_WORKDIR ?? mkdtempSync(join(tmpdir(), "jisik-e2e-"));
const SHOTS = process.env.JISIK_E2E_SCREENSHOTS ?? "";
export const INGEST_TIMEOUT = Number(process.env.JISIK_E2E_INGEST_TIMEOUT_MS ?? 240_000);
export const ANSWER_TIMEOUT = Number(process.env.JISIK_E2E_ANSWER_TIMEOUT_MS ?? 180_000);

export function check(condition, message) {
  if (!condition) throw new Error(`expectation failed: ${message}`);
}

export async function shot(page, name) {
  if (!SHOTS) return;
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`) });
}

/** A fresh headless Chromium (a profile of its own): its page, what went wrong on it, and how to close it. */
export async function launch() {
  const profile = mkdtempSync(join(tmpdir(), "jisik-chromium-"));
  // A persistent context is how playwright passes a fresh --user-data-dir.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: BROWSER,
    headless: true,
    args: [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ],
    locale: process.env.JISIK_E2E_LOCALE ?? "en-US",
    viewport: { width: 1360, height: 860 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const problems = [];
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("console", (msg) => {
    if (msg.type() !== "error") return;
    const where = msg.location()?.url; // for a failed resource, the address that failed
    problems.push(`console: ${msg.text()}${where ? ` (${where})` : ""}`);
  });
  const close = async () => {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  };
  return { page, close, problems };
}

export async function signIn(page) {
  await page.goto(`${BASE}/`);
  await page.getByTestId("api-key-input").fill(KEY);
  await page.getByTestId("api-key-submit").click();
  await page.getByTestId("nav-chat").waitFor();
}

export async function createKnowledgeBase(page, name) {
  await page.goto(`${BASE}/#/kbs`);
  await page.getByTestId("kb-name").fill(name);
  await page.getByTestId("kb-create").click();
  await page.waitForURL(/#\/kbs\/[^/]+$/);
  return page.url().split("#/kbs/")[1];
}

/** Waits until the document row reaches `completed`; fails with the shown reason when it fails. */
export async function waitForDocument(page, name, attribute = "data-name") {
  const row = page.locator(`[data-testid="doc-row"][${attribute}="${name}"]`);
  await row.waitFor({ timeout: 30_000 });
  const seen = new Set();
  const deadline = Date.now() + INGEST_TIMEOUT;
  while (Date.now() < deadline) {
    const status = await row.getByTestId("parse-status").getAttribute("data-status");
    seen.add(status);
    if (status === "completed") return [...seen];
    if (status === "failed") throw new Error(`ingest failed: ${await row.getByTestId("doc-error").textContent().catch(() => "")}`);
    await page.waitForTimeout(300);
  }
  throw new Error(`document ${name} did not complete within ${INGEST_TIMEOUT} ms (statuses seen: ${[...seen]})`);
}

export async function ask(page, question) {
  await page.getByTestId("chat-input").fill(question);
  // The send button is enabled once the session's history has loaded.
  await page.waitForSelector('[data-testid="send"]:not([disabled])', { timeout: 30_000 });
  await page.getByTestId("chat-input").press("Enter");
  const answer = page.getByTestId("answer").last();
  await answer.waitFor();
  const sawStreaming = (await answer.getAttribute("data-status")) === "streaming";
  await page.waitForFunction(
    () => {
      const all = document.querySelectorAll('[data-testid="answer"]');
      const last = all[all.length - 1];
      return last && last.getAttribute("data-status") !== "streaming";
    },
    null,
    { timeout: ANSWER_TIMEOUT },
  );
  const status = await answer.getAttribute("data-status");
  const text = (await answer.locator(".markdown").first().textContent().catch(() => "")) ?? "";
  check(status === "done", `answer ended as ${status}: ${(await answer.textContent()) ?? ""}`);
  check(text.trim().length > 0, "the answer is empty");
  return { answer, text, sawStreaming };
}

/** Opens the first citation: a [n] marker when the answer has one, else the first listed source. */
export async function openCitation(page, answer) {
  const marker = answer.locator("button.cite").first();
  let via = "marker";
  if (await marker.count()) await marker.click();
  else {
    via = "sources";
    await answer.locator("details.sources summary").click();
    await answer.locator("details.sources li button").first().click();
  }
  const panel = page.getByTestId("citation-panel");
  await panel.waitFor();
  return {
    via,
    title: (await panel.getByTestId("citation-title").textContent()) ?? "",
    passage: (await panel.getByTestId("citation-passage").textContent()) ?? "",
  };
}

/** Keeps a screenshot and the page text of a failed scenario next to its work files. */
async function keepEvidence(page, error) {
  await page.screenshot({ path: join(WORK, "failure.png") }).catch(() => undefined);
  const text = await page.locator("body").innerText().catch(() => "");
  error.message += `\nURL: ${page.url()}\nscreenshot: ${join(WORK, "failure.png")}\npage text:\n${text.slice(0, 1500)}`;
  throw error;
}

/** A scenario: `body(page, problems)` runs in a fresh browser, which is closed after; a failure keeps its evidence. */
export function scenario(body) {
  return async () => {
    const { page, close, problems } = await launch();
    try {
      return await body(page, problems);
    } catch (error) {
      return await keepEvidence(page, error);
    } finally {
      await close();
    }
  };
}

/** Signs in through the form with an e-mail and a password (a session cookie, no API key). */
export async function signInWithPassword(page, email, password) {
  await page.goto(`${BASE}/`);
  await page.getByTestId("signin-email").fill(email);
  await page.getByTestId("signin-password").fill(password);
  await page.getByTestId("signin-submit").click();
  await page.getByTestId("nav-chat").waitFor();
}

/** Status of GET /auth/me made outside the browser with the API key `key`, and its data when it worked. */
export async function whoIsKey(key) {
  const response = await fetch(`${BASE}/api/v1/auth/me`, { headers: { "X-API-Key": key } });
  return { status: response.status, me: response.ok ? (await response.json()).data : null };
}

/** Keeps a PNG of the page in the work folder as `file` (the test reads it) and, when asked, as screenshot `name`. */
export async function capture(page, file, name, { fullPage = false } = {}) {
  await page.screenshot({ path: join(WORK, file), fullPage });
  await shot(page, name);
}

/** Uploads `paths` through the knowledge base page and waits until the first of them is parsed. */
export async function uploadAndWait(page, paths) {
  await page.getByTestId("file-input").setInputFiles(paths);
  return await waitForDocument(page, basename(paths[0]), "data-file");
}

/** Signs in, makes a knowledge base named `kbName` and waits until `path` is uploaded into it and parsed; its id. */
export async function baseWithDocument(page, kbName, path) {
  await signIn(page);
  const kbId = await createKnowledgeBase(page, kbName);
  await uploadAndWait(page, [path]);
  return kbId;
}

/** From a knowledge base's page: "Ask this knowledge base" opens a chat scoped to it. */
export async function askThisBase(page) {
  await page.getByRole("button", { name: /Ask this knowledge base/ }).click();
  await page.waitForURL(/#\/chat\/.+/);
}

/** Opens the knowledge base `kbName` from the list and starts a chat on it. */
export async function chatOnBase(page, kbName) {
  await page.goto(`${BASE}/#/kbs`);
  await page.locator('[data-testid="kb-card"]', { hasText: kbName }).click();
  await askThisBase(page);
}

/** Sets the tenant's privacy settings (only the ones given) and saves them. */
export async function savePrivacy(page, { policy, types = [], retention, consent } = {}) {
  await page.goto(`${BASE}/#/settings`);
  await page.getByTestId("privacy-settings").waitFor();
  if (policy) await page.getByTestId("privacy-policy").selectOption(policy);
  for (const type of types) await page.getByTestId(`privacy-type-${type}`).check();
  if (retention !== undefined) await page.getByTestId("privacy-retention").fill(String(retention));
  if (consent) await page.getByTestId("privacy-consent").check();
  await page.getByTestId("privacy-save").click();
  await page.getByTestId("privacy-notice").waitFor();
}

/** Switches the app's language ("en" or "ko") in the settings. */
export async function setLanguage(page, language) {
  await page.goto(`${BASE}/#/settings`);
  await page.getByTestId("lang-select").selectOption(language);
}

/** Polls until `locator`'s attribute `name` equals `value`. */
export async function waitForAttribute(locator, name, value, timeout = 15_000) {
  const deadline = Date.now() + timeout;
  let seen = null;
  while (Date.now() < deadline) {
    seen = await locator.getAttribute(name);
    if (seen === value) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`expectation failed: ${name} stayed ${seen}, not ${value}`);
}

/** Waits until the newest training job on the Models page has ended: its final status, the statuses seen, its kind and log. */
export async function watchNewestJob(page, timeout) {
  const job = page.getByTestId("training-job").first();
  await job.waitFor();
  const seen = new Set();
  const deadline = Date.now() + timeout;
  let status = "";
  while (Date.now() < deadline) {
    status = (await job.getAttribute("data-status")) ?? "";
    seen.add(status);
    if (!["queued", "running"].includes(status)) break;
    await page.waitForTimeout(500);
  }
  const text = async (id) => (await job.getByTestId(id).textContent()) ?? "";
  return { status, seen: [...seen], kind: await text("job-kind"), log: await text("job-log") };
}
