// End-to-end scenarios in real headless Chromium (playwright-core, the system browser; nothing is downloaded).
// Usage: node e2e/run.mjs <scenario>   with JISIK_GATEWAY_URL, JISIK_API_KEY, JISIK_E2E_WORKDIR set,
// and optionally JISIK_E2E_SCREENSHOTS (a folder for PNGs of the main screens). The steps they share are in
// helpers.mjs. Scenarios: upload-chat, editor, pdf-citation (needs ferry-timetable.pdf in the work folder), screens,
// fields-review (needs fields-invoice.pdf), key-rotation, hwp-upload (needs busan-port.hwp), lag-status, privacy-settings,
// stream-monitor, privacy-erase, usage-page, webhooks, own-models, cross-encoder, bi-encoder, field-tagger
// (needs field-tagger.json), and with JISIK_E2E_EMAIL and JISIK_E2E_PASSWORD of an owner: accounts,
// service-accounts, invitation-accept.
// Exits non-zero with a message when an expectation fails.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  ANSWER_TIMEOUT, BASE, INGEST_TIMEOUT, KEY, WORK, ask, askThisBase, baseWithDocument, capture, chatOnBase, check,
  createKnowledgeBase, launch, openCitation, savePrivacy, scenario, setLanguage, shot, signIn, signInWithPassword,
  uploadAndWait, waitForAttribute, waitForDocument, watchNewestJob, whoIsKey,
} from "./helpers.mjs";

/**
 * A dropped connection: the browser gets the real answer stream cut before its final event. The UI must
 * keep what arrived and offer retry; retry re-attaches through /sessions/continue-stream.
 */
async function dropAndRetry(page) {
  await page.route(
    "**/api/v1/knowledge-chat/**",
    async (route) => {
      const response = await route.fetch();
      const events = (await response.text()).split("\n\n").filter((e) => e.trim());
      // Keep everything up to the first piece of answer text, then end the body without the final event.
      const firstAnswer = events.findIndex((e) => /"response_type":\s*"answer"/.test(e) && /"content":\s*"[^"]/.test(e));
      const cut = events.slice(0, firstAnswer + 1).filter((e) => !/"done":\s*true/.test(e));
      await route.fulfill({ status: 200, headers: { "content-type": "text/event-stream" }, body: `${cut.join("\n\n")}\n\n` });
    },
    { times: 1 },
  );
  await page.getByTestId("chat-input").fill("How often is the fog horn tested?");
  await page.getByTestId("chat-input").press("Enter");
  const answer = page.getByTestId("answer").last();
  await page.getByTestId("interrupted").waitFor({ timeout: ANSWER_TIMEOUT });
  check((await answer.getAttribute("data-status")) === "interrupted", "a cut stream shows as interrupted");
  const partial = (await answer.locator(".markdown").first().textContent().catch(() => "")) ?? "";
  await page.getByTestId("retry").click();
  await page.waitForFunction(
    () => {
      const all = document.querySelectorAll('[data-testid="answer"]');
      return all[all.length - 1]?.getAttribute("data-status") === "done";
    },
    null,
    { timeout: ANSWER_TIMEOUT },
  );
  const full = (await answer.locator(".markdown").first().textContent()) ?? "";
  check(full.trim().length >= partial.trim().length && full.trim().length > 0, "retry shows the whole answer");
  return { partialChars: partial.trim().length, fullChars: full.trim().length };
}

const FACT_DOC = `# Hallasan lighthouse keepers' handbook

The Seongsan harbour lighthouse was first lit on 14 March 1907 by keeper Kim Dal-su.
Its lamp is visible for 19 nautical miles and flashes white every 6 seconds.

## Maintenance

| Task | Interval |
|---|---|
| Clean the lens | weekly |
| Replace the lamp | every 2 years |

The fog horn is tested every Monday at 09:00.
`;

const uploadChat = scenario(async (page, problems) => {
  await signIn(page);
  const kbName = `e2e upload ${Date.now()}`;
  await createKnowledgeBase(page, kbName);
  const good = join(WORK, "lighthouse-handbook.md");
  const bad = join(WORK, "installer.exe");
  writeFileSync(good, FACT_DOC);
  writeFileSync(bad, "MZ\u0090\u0000 not a document");
  await page.getByTestId("file-input").setInputFiles([good, bad]);
  const refusal = page.locator('[data-testid="upload-item"][data-state="rejected"]');
  await refusal.waitFor();
  check((await refusal.textContent()).includes(".exe"), "the unsupported file is refused with its reason");
  const statuses = await waitForDocument(page, "lighthouse-handbook.md", "data-file");
  await shot(page, "knowledge-base-documents");

  await page.locator('[data-testid="doc-row"][data-file="lighthouse-handbook.md"] a').first().click();
  await page.getByTestId("chunk").first().waitFor();
  check((await page.locator(".chunk table td").count()) > 0, "the table chunk is rendered as a table");
  await shot(page, "document-chunks");

  await chatOnBase(page, kbName);
  const { answer, text, sawStreaming } = await ask(page, "When was the Seongsan harbour lighthouse first lit, and by whom?");
  const citation = await openCitation(page, answer);
  check(/lighthouse/i.test(citation.title), `citation shows the document title (got "${citation.title}")`);
  check(/1907|Kim Dal-su/.test(citation.passage), "the cited passage holds the fact");
  await answer.getByTestId("timings-toggle").click();
  await answer.locator('[data-testid="timings"] tr').first().waitFor();
  const timings = await answer.locator('[data-testid="timings"] tr').count();
  await page.getByTestId("session-link").first().waitFor();
  await shot(page, "chat-citation");
  const resumed = await dropAndRetry(page);
  return { statuses, answer: text.slice(0, 200), sawStreaming, timings, resumed, citation: { via: citation.via, title: citation.title }, problems };
});

/**
 * A PDF citation opens the cited page of the original with the passage highlighted. The test writes
 * ferry-timetable.pdf (two pages; the fact is on page 2) into the work folder before the run.
 */
const pdfCitation = scenario(async (page, problems) => {
  const kbName = `e2e pdf ${Date.now()}`;
  await baseWithDocument(page, kbName, join(WORK, "ferry-timetable.pdf"));
  await chatOnBase(page, kbName);
  const { answer, text } = await ask(page, "When does the morning ferry from Mokpo to Jeju leave?");
  const marker = answer.locator("button.cite").first();
  check((await marker.count()) > 0, `the answer cites a passage: ${text}`);
  await marker.click();
  const panel = page.getByTestId("citation-panel");
  await panel.getByTestId("pdf-page-view").waitFor();
  const image = panel.getByTestId("pdf-page");
  await image.waitFor({ timeout: 30_000 });
  await page.waitForFunction(() => {
    const img = document.querySelector('[data-testid="pdf-page"]');
    return img instanceof HTMLImageElement && img.complete && img.naturalWidth > 0;
  });
  const shownPage = Number(await panel.getByTestId("pdf-page-view").getAttribute("data-page"));
  const naturalWidth = await image.evaluate((img) => img.naturalWidth);
  // Count highlight-yellow pixels of the rendered page in the browser.
  const highlighted = await image.evaluate((img) => {
    const canvas = document.createElement("canvas");
    canvas.width = img.naturalWidth;
    canvas.height = img.naturalHeight;
    const context = canvas.getContext("2d");
    context.drawImage(img, 0, 0);
    const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
    let count = 0;
    for (let i = 0; i < data.length; i += 16) if (data[i] > 220 && data[i + 1] > 180 && data[i + 1] < 235 && data[i + 2] < 90) count++;
    return count;
  });
  const caption = (await panel.getByTestId("pdf-page-caption").textContent()) ?? "";
  await capture(page, "pdf-citation.png", "chat-pdf-citation");
  return { answer: text.slice(0, 200), shownPage, naturalWidth, highlighted, caption, problems };
});

/** A Hangul word processor file (HWP 5) goes through upload, parsing and chat like any other. */
const hwpUpload = scenario(async (page, problems) => {
  const kbName = `e2e hwp ${Date.now()}`;
  await baseWithDocument(page, kbName, join(WORK, "busan-port.hwp"));
  await chatOnBase(page, kbName);
  const { answer, text } = await ask(page, "부산항의 2024년 컨테이너 물동량은 얼마인가?");
  const citation = await openCitation(page, answer);
  await page.screenshot({ path: join(WORK, "hwp-citation.png") });
  return { answer: text.slice(0, 200), citation, problems };
});

const editor = scenario(async (page, problems) => {
  await signIn(page);
  const kbId = await createKnowledgeBase(page, `e2e editor ${Date.now()}`);
  // Knowledge base settings: change the chunking, save, and find it kept after a reload.
  await page.goto(`${BASE}/#/kbs/${kbId}/settings`);
  await page.getByTestId("chunk-size").fill("384");
  await page.getByTestId("kb-save").click();
  await page.getByTestId("kb-saved").waitFor();
  await page.reload();
  await page.getByTestId("chunk-size").waitFor();
  check((await page.getByTestId("chunk-size").inputValue()) === "384", "the chunk size is saved");

  const title = `Orchard rota ${Date.now()}`;
  await page.goto(`${BASE}/#/editor?kb=${kbId}`);
  await page.getByTestId("editor-title").fill(title);
  await page
    .getByTestId("editor-content")
    .fill("# Orchard rota\n\nThe persimmon orchard in Sangju is watered by **Park Ji-won** on Thursdays.\n");
  check((await page.getByTestId("editor-preview").locator("strong").textContent()) === "Park Ji-won", "live preview renders Markdown");
  await page.getByTestId("save-draft").click();
  await page.getByTestId("editor-badge").filter({ hasText: "Draft" }).waitFor();
  await page.waitForURL(/#\/editor\/.+/);
  const docId = page.url().split("#/editor/")[1];

  await page.getByTestId("publish").click();
  await page.getByTestId("editor-badge").filter({ hasText: "Published" }).waitFor();
  await page.goto(`${BASE}/#/kbs/${kbId}`);
  await waitForDocument(page, title);

  // Reopen the published document, edit and republish.
  await page.goto(`${BASE}/#/editor/${docId}`);
  await page.getByTestId("editor-badge").filter({ hasText: "Published" }).waitFor();
  const content = page.getByTestId("editor-content");
  await content.fill(`${await content.inputValue()}\nIt is pruned by Choi Min-seo every March.\n`);
  await page.getByTestId("publish").click();
  await page.getByText("Published. It becomes searchable").waitFor();
  check((await page.getByTestId("editor-updated").textContent()).startsWith("Last updated"), "shows last-updated");
  await shot(page, "markdown-editor");
  await page.goto(`${BASE}/#/kbs/${kbId}`);
  await waitForDocument(page, title);

  await page.goto(`${BASE}/#/chat`);
  await page.getByTestId("chat-scope").selectOption(kbId);
  const { answer } = await ask(page, "Who waters the persimmon orchard in Sangju, and who prunes it?");
  const citation = await openCitation(page, answer);
  check(citation.title.includes("Orchard rota"), `the answer cites the published document (got "${citation.title}")`);
  check(/Park Ji-won/.test(citation.passage), "the cited passage is the published text");

  // "Add to knowledge base" opens the editor with the question and the answer.
  await answer.getByTestId("add-to-kb").click();
  await page.waitForURL(/#\/editor\?prefill=1/);
  check((await page.getByTestId("editor-title").inputValue()).startsWith("Who waters"), "prefilled title is the question");
  check((await page.getByTestId("editor-content").inputValue()).length > 0, "prefilled content is the answer");
  return { citation: { via: citation.via, title: citation.title }, problems };
});

/**
 * Field extraction and review: define a schema in the editor, upload an invoice whose total is wrong
 * (the Python test writes fields-invoice.pdf into the work folder), see it wait for review, correct the
 * total next to the page image, approve.
 */
const fieldsReview = scenario(async (page, problems) => {
  await signIn(page);
  const kbId = await createKnowledgeBase(page, `e2e fields ${Date.now()}`);
  await page.getByTestId("kb-fields-tab").click();
  await page.getByTestId("schema-editor").waitFor();
  const specs = [
    ["supplier_brn", "공급자 등록번호", "brn", "등록번호"],
    ["supply", "공급가액", "amount", ""],
    ["tax", "세액", "amount", ""],
    ["total", "합계금액", "amount", "합계"],
  ];
  for (const [index, [name, label, type, aliases]] of specs.entries()) {
    await page.getByTestId("schema-add").click();
    const row = page.getByTestId("schema-field").nth(index);
    await row.getByTestId("schema-name").fill(name);
    await row.getByTestId("schema-label").fill(label);
    await row.getByTestId("schema-type").selectOption(type);
    await row.getByTestId("schema-aliases").fill(aliases);
  }
  await page.getByTestId("schema-rules").fill(
    JSON.stringify([{ name: "total_is_sum", kind: "sum", fields: ["total", "supply", "tax"], tolerance: 1 }]),
  );
  await page.getByTestId("schema-save").click();
  await page.getByTestId("schema-saved").waitFor();
  await shot(page, "fields-schema");

  await page.goto(`${BASE}/#/kbs/${kbId}`);
  await uploadAndWait(page, [join(WORK, "fields-invoice.pdf")]);
  const waiting = page.getByTestId("review-count-needs_review");
  await waiting.waitFor({ timeout: 30_000 });
  check((await waiting.getAttribute("data-count")) === "1", "the knowledge base counts one document waiting for review");

  // The live preview reads the stored document with the schema being edited.
  await page.getByTestId("kb-fields-tab").click();
  await page.getByTestId("schema-preview-doc").selectOption({ label: "fields-invoice" });
  await page.getByTestId("schema-preview").waitFor({ timeout: 60_000 });
  const previewText = (await page.getByTestId("schema-preview").textContent()) ?? "";
  check(previewText.includes("220-81-62517"), `the preview shows the registration number: ${previewText}`);

  await page.goto(`${BASE}/#/review?kb=${kbId}`);
  const queued = page.locator('[data-testid="review-row"][data-name="fields-invoice"]');
  await queued.waitFor();
  await queued.getByTestId("review-open").click();
  await page.getByTestId("review-screen").waitFor();
  const total = page.locator('[data-testid="review-field"][data-name="total"]');
  check((await total.getByTestId("review-failed-check").count()) > 0, "the wrong total shows its failed rule");
  await total.getByTestId("review-input").click();
  await page.locator('[data-testid="review-page-image"] img').waitFor();
  await page.getByTestId("field-box").waitFor();
  await shot(page, "fields-review");
  await total.getByTestId("review-input").fill("1,357,400원");
  await page.getByTestId("review-approve").click();
  await page.getByTestId("review-done").waitFor();
  const status = await page.getByTestId("field-status").first().getAttribute("data-status");
  check(status === "approved", `approved after the correction (was ${status})`);
  await shot(page, "fields-approved");

  const knowledgeId = page.url().split("#/review/")[1];
  await page.goto(`${BASE}/#/docs/${knowledgeId}`);
  const normalized = page.locator('[data-testid="field-row"][data-name="total"] [data-testid="field-normalized"]');
  await normalized.waitFor();
  check((await normalized.textContent()) === "1357400", "the document page shows the corrected total");
  return { problems, status };
});

const screens = scenario(async (page, problems) => {
  await signIn(page);
  await page.goto(`${BASE}/#/kbs`);
  await page.getByTestId("kb-card").first().waitFor();
  await shot(page, "knowledge-bases");
  await page.goto(`${BASE}/#/settings`);
  await page.locator('[data-testid="model-row"], [data-testid="models-empty"]').first().waitFor();
  // Register an Ollama endpoint through the form and test it (nothing listens there: the reason shows).
  await page.getByTestId("model-provider").selectOption("ollama");
  await page.getByTestId("model-name").fill(`qwen2.5:7b-${Date.now() % 10000}`);
  await page.getByTestId("model-add").click();
  const row = page.getByTestId("model-row").last();
  await row.waitFor();
  check((await row.textContent()).includes("ollama"), "the new model is listed as an Ollama endpoint");
  check(!(await page.getByTestId("tenant-key").textContent()).includes(KEY), "the API key is hidden until asked");
  await shot(page, "settings");
  await row.getByTestId("model-test").click();
  await page.waitForFunction(() => {
    const cells = document.querySelectorAll('[data-testid="model-test-result"]');
    const text = cells[cells.length - 1]?.textContent ?? "";
    return text.length > 1 && text !== "…";
  });
  await page.getByTestId("toggle-key").click();
  check((await page.getByTestId("tenant-key").textContent()) === KEY, "the API key shows when asked");
  await page.getByTestId("toggle-key").click();
  await page.getByTestId("lang-select").selectOption("ko");
  await page.goto(`${BASE}/#/kbs`);
  await page.getByText("지식 베이스").first().waitFor();
  await shot(page, "knowledge-bases-ko");
  return { problems };
});

/** Status of one API call made outside the browser with ``key``. */
async function statusWith(key) {
  const response = await fetch(`${BASE}/api/v1/knowledge-bases`, { headers: { "X-API-Key": key } });
  return response.status;
}

const keyRotation = scenario(async (page, problems) => {
  page.on("dialog", (dialog) => void dialog.accept());
  await signIn(page);
  await page.goto(`${BASE}/#/settings`);
  await page.getByTestId("rotate-key").click();
  await page.getByTestId("key-notice").waitFor();
  const rotated = (await page.getByTestId("tenant-key").textContent()).trim();
  check(rotated.startsWith("sk-") && rotated !== KEY, "the new key is shown after rotating");
  await shot(page, "settings-key-rotated");
  const oldStatus = await statusWith(KEY);
  const newStatus = await statusWith(rotated);
  check(oldStatus === 401 && newStatus === 200, `old key ${oldStatus}, new key ${newStatus}`);
  await page.goto(`${BASE}/#/kbs`);
  await page.getByTestId("nav-chat").waitFor(); // still signed in, now with the new key
  await page.goto(`${BASE}/#/settings`);
  await page.getByTestId("revoke-key").click();
  await page.getByTestId("api-key-input").waitFor(); // revoking signs out
  const revokedStatus = await statusWith(rotated);
  check(revokedStatus === 401, `a revoked key answers ${revokedStatus}`);
  return { oldStatus, newStatus, revokedStatus, problems };
});

const privacySettings = scenario(async (page, problems) => {
  await signIn(page);
  await savePrivacy(page, { policy: "always", types: ["RRN", "PHONE"], consent: true });
  await page.reload();
  await page.getByTestId("privacy-settings").waitFor();
  await page.getByTestId("privacy-settings").scrollIntoViewIfNeeded();
  await capture(page, "privacy-settings.png", "settings-privacy");
  const shown = {
    policy: await page.getByTestId("privacy-policy").inputValue(),
    rrn: await page.getByTestId("privacy-type-RRN").isChecked(),
    email: await page.getByTestId("privacy-type-EMAIL").isChecked(),
    consent: await page.getByTestId("privacy-consent").isChecked(),
  };
  const response = await fetch(`${BASE}/api/v1/tenants`, { headers: { "X-API-Key": KEY } });
  const [tenant] = (await response.json()).data;
  return { shown, stored: { policy: tenant.pii_policy, types: tenant.pii_types, consent: tenant.training_consent }, problems };
});

const lagStatus = scenario(async (page, problems) => {
  await signIn(page);
  await page.goto(`${BASE}/#/settings`);
  const table = page.getByTestId("consumer-groups");
  await table.waitFor();
  const rows = await table.locator("tbody tr").allTextContents();
  check(rows.length > 0, "the consumer groups table has a row per stage");
  const statuses = await table.locator("tbody tr td:nth-child(2)").allTextContents();
  check(statuses.every((status) => ["OK", "WARN", "STALL", "STOP"].includes(status)), `statuses ${statuses}`);
  await table.scrollIntoViewIfNeeded();
  await capture(page, "lag-status.png", "settings-lag-status");
  return { groups: rows.length, statuses, problems };
});

const streamMonitor = scenario(async (page, problems) => {
  await signIn(page);
  await page.getByTestId("nav-monitor").click();
  await page.getByTestId("consumer-groups").waitFor();
  const slices = await page.locator("[data-testid=throughput] .throughput-slice").count();
  check(slices === 12, `12 throughput slices, got ${slices}`);
  const statuses = await page.locator("[data-testid=consumer-groups] tbody tr td:nth-child(2)").allTextContents();
  check(statuses.length > 0 && statuses.every((s) => ["OK", "WARN", "STALL", "STOP"].includes(s)), `statuses ${statuses}`);
  await page.getByTestId("top-failures").waitFor({ state: "attached" });
  await capture(page, "stream-monitor.png", "stream-monitor", { fullPage: true });
  return { slices, statuses, problems };
});

const usagePage = scenario(async (page, problems) => {
  await signIn(page);
  await page.getByTestId("nav-usage").click();
  await page.getByTestId("usage-table").waitFor();
  const banner = page.getByTestId("threshold-banner");
  await banner.waitFor();
  const bannerEn = await banner.innerText();
  await page.locator("[data-testid=usage-chart] canvas").waitFor();
  const pages = await page.getByTestId("usage-row-pages_parsed").innerText();
  await page.getByTestId("usage-metric").selectOption("chat_tokens_in");
  await page.locator("[data-testid=usage-chart] canvas").waitFor();
  const legend = await page.locator("[data-testid=usage-chart] .u-legend").innerText();
  await page.getByTestId("usage-metric").selectOption("pages_parsed");
  await capture(page, "usage-en.png", "usage", { fullPage: true });
  await page.getByTestId("lang-switch").click();
  const bannerKo = await banner.innerText();
  await capture(page, "usage-ko.png", "usage-ko", { fullPage: true });
  return { bannerEn, bannerKo, pages, legend, problems };
});

/** Reloads the timeline until it shows at least `count` events (the cdc process records them after the commit). */
async function waitForEvents(page, count) {
  const deadline = Date.now() + 60_000;
  const events = page.getByTestId("audit-event");
  while (Date.now() < deadline) {
    if ((await events.count()) >= count) return events;
    await page.getByTestId("audit-refresh").click();
    await page.waitForTimeout(500);
  }
  throw new Error(`the activity timeline never showed ${count} events (shown: ${await events.count()})`);
}

const auditTimeline = scenario(async (page, problems) => {
  await signIn(page);
  const kbId = await createKnowledgeBase(page, "Audit trail");
  await page.getByTestId("kb-settings-tab").click();
  const name = page.getByTestId("kb-settings").locator("input").first();
  await name.fill("Audit trail 2026");
  await page.getByTestId("kb-save").click();
  await page.getByTestId("kb-saved").waitFor();
  await page.getByTestId("kb-activity-tab").click();
  const kbEvents = await waitForEvents(page, 2);
  const actions = await kbEvents.evaluateAll((items) => items.map((item) => item.getAttribute("data-action")));
  const actors = await kbEvents.evaluateAll((items) => items.map((item) => item.getAttribute("data-actor")));
  check(actions[0] === "updated" && actions.includes("created"), `newest first: ${actions}`);
  check(actors.every((actor) => actor.startsWith("key:sk-")), `actors ${actors}`);
  const renamed = (await kbEvents.first().textContent()) ?? "";
  check(renamed.includes("Audit trail 2026"), `the rename's diff is shown: ${renamed}`);
  await capture(page, "kb-activity.png", "kb-activity");

  const draft = await fetch(`${BASE}/api/v1/knowledge-bases/${kbId}/knowledge/manual`, {
    method: "POST",
    headers: { "X-API-Key": KEY, "Content-Type": "application/json" },
    body: JSON.stringify({ title: "Audit note", content: "# Audit note", status: "draft" }),
  });
  check(draft.ok, `draft created (${draft.status})`);
  const docId = (await draft.json()).data.id;
  await page.goto(`${BASE}/#/docs/${docId}`);
  await page.getByTestId("audit-timeline").waitFor();
  const docEvents = await waitForEvents(page, 1);
  const docAction = await docEvents.first().getAttribute("data-action");

  await setLanguage(page, "ko");
  const tenantEvents = await waitForEvents(page, 3);
  const heading = (await page.getByTestId("audit-timeline").locator("h3").textContent()) ?? "";
  check(heading.includes("활동 기록"), `Korean heading: ${heading}`);
  await page.getByTestId("audit-timeline").scrollIntoViewIfNeeded();
  await capture(page, "tenant-activity-ko.png", "tenant-activity-ko");
  await page.getByTestId("lang-select").selectOption("en");
  return { kbActions: actions, actors, docAction, tenantEvents: await tenantEvents.count(), heading, problems };
});

/** Reloads the delivery log until a delivery with at least one attempt is shown. */
async function waitForDelivery(page) {
  const deadline = Date.now() + INGEST_TIMEOUT;
  const rows = page.getByTestId("delivery-row");
  while (Date.now() < deadline) {
    await page.reload();
    await page.getByTestId("webhook-deliveries").waitFor();
    if ((await rows.count()) > 0 && Number((await rows.first().locator("td.num").first().textContent()) ?? "0") > 0) return rows;
    await page.waitForTimeout(1000);
  }
  throw new Error("no delivery attempt appeared in the log");
}

const webhooks = scenario(async (page, problems) => {
  await signIn(page);
  await page.getByTestId("nav-webhooks").click();
  await page.getByTestId("webhooks-page").waitFor();
  // An internal address is refused with the field named.
  await page.getByTestId("webhook-url").fill("http://127.0.0.1:9/hook");
  await page.getByTestId("webhook-submit").click();
  const refused = (await page.getByTestId("webhook-error").textContent()) ?? "";
  check(refused.includes("internal address"), `loopback refused: ${refused}`);
  // A public endpoint: the secret is shown once.
  await page.getByTestId("webhook-url").fill("https://hooks.example.com/jisik");
  await page.getByTestId("webhook-event-document.indexed").check();
  await page.getByTestId("webhook-submit").click();
  const secret = (await page.getByTestId("webhook-secret-value").textContent()) ?? "";
  check(secret.startsWith("whsec_"), `secret shown: ${secret.slice(0, 8)}`);
  await shot(page, "webhooks-secret");
  await page.getByTestId("webhook-secret-done").click();
  check((await page.locator("body").innerText()).indexOf(secret) === -1, "the secret is gone once dismissed");
  const row = page.locator('[data-testid="webhook-row"][data-url="https://hooks.example.com/jisik"]');
  await row.getByTestId("webhook-rotate").click();
  const rotated = (await page.getByTestId("webhook-secret-value").textContent()) ?? "";
  check(rotated.startsWith("whsec_") && rotated !== secret, "a new secret after rotation");
  const overlap = (await page.getByTestId("webhook-secret").textContent()) ?? "";
  await page.getByTestId("webhook-secret-done").click();
  // An event: a published document is validated and indexed by the pipeline.
  const kbId = await createKnowledgeBase(page, "Webhook events");
  const note = await fetch(`${BASE}/api/v1/knowledge-bases/${kbId}/knowledge/manual`, {
    method: "POST",
    headers: { "X-API-Key": KEY, "Content-Type": "application/json" },
    body: JSON.stringify({ title: "Webhook note", content: "# Webhook note\n\nLighthouses guide ships home.", status: "publish" }),
  });
  check(note.ok, `document published (${note.status})`);
  await page.goto(`${BASE}/#/webhooks`);
  await row.getByTestId("webhook-open").click();
  const deliveries = await waitForDelivery(page);
  const first = deliveries.first();
  const eventType = (await first.locator("code").first().textContent()) ?? "";
  await first.click();
  const attempts = (await page.getByTestId("delivery-attempts").first().textContent()) ?? "";
  await first.getByTestId("delivery-replay").click();
  const replayed = (await page.getByTestId("replay-message").textContent()) ?? "";
  check(replayed.includes("1"), `replay queued: ${replayed}`);
  await capture(page, "webhooks-log.png", "webhooks-log", { fullPage: true });
  await page.goto(`${BASE}/#/webhooks`);
  await page.getByTestId("lang-switch").click();
  await page.getByTestId("webhooks-page").waitFor();
  const heading = (await page.locator("h1").first().textContent()) ?? "";
  check(heading === "웹훅", `Korean heading: ${heading}`);
  await capture(page, "webhooks-ko.png", "webhooks-ko", { fullPage: true });
  await page.getByTestId("lang-switch").click();
  // The browser logs the refused loopback URL's 422 as a failed resource: that one is expected.
  const unexpected = problems.filter((problem) => !(problem.includes("status of 422") && problem.includes("/api/v1/webhooks")));
  return { refused, overlap, eventType, attempts, replayed, heading, problems: unexpected };
});

/**
 * Privacy end to end: retention days in settings, the mask on for every model, a document with personal
 * data asked about, "what the model saw" toggled on the answer, then the document erased with its
 * receipt shown (the chat in English, the erasure in Korean).
 */
const privacyErase = scenario(async (page, problems) => {
  await signIn(page);
  await savePrivacy(page, { policy: "always", retention: 30 });

  const kbName = `e2e privacy ${Date.now()}`;
  const kbId = await createKnowledgeBase(page, kbName);
  await page.getByTestId("kb-settings-tab").click();
  await page.getByTestId("kb-retention").fill("7");
  await page.getByTestId("kb-save").click();
  await page.getByTestId("kb-saved").waitFor();
  const kbRetention = (await (await fetch(`${BASE}/api/v1/knowledge-bases/${kbId}`, { headers: { "X-API-Key": KEY } })).json()).data.retention_days;
  await page.goto(`${BASE}/#/kbs/${kbId}`);
  const file = join(WORK, "deposit-contract.md");
  writeFileSync(
    file,
    "# Deposit contract\n\nTenant name: Kim Minjun, phone 010-2345-6789, e-mail minjun.kim@example.co.kr.\n\n" +
      "The deposit of the harbour office lease is due within 7 days of signing.\n",
  );
  await uploadAndWait(page, [file]);
  await askThisBase(page);
  const { answer } = await ask(page, "When is the deposit due? Call 010-2345-6789 if unclear.");
  await answer.getByTestId("model-saw-toggle").click();
  const saw = answer.getByTestId("model-saw");
  await saw.waitFor();
  await page.waitForFunction(() => document.querySelector('[data-testid="model-saw"] pre') !== null, null, { timeout: 30_000 });
  const sawText = (await saw.textContent()) ?? "";
  await saw.scrollIntoViewIfNeeded();
  await capture(page, "model-saw.png", "chat-model-saw");

  // The erasure in Korean.
  await setLanguage(page, "ko");
  await page.goto(`${BASE}/#/kbs/${kbId}`);
  await page.locator('[data-testid="doc-row"][data-file="deposit-contract.md"]').waitFor();
  page.once("dialog", (dialog) => void dialog.accept());
  await page.locator('[data-testid="doc-row"][data-file="deposit-contract.md"]').getByTestId("doc-erase").click();
  const receipt = page.getByTestId("erase-receipt");
  await receipt.waitFor();
  const removed = {};
  for (const row of await receipt.locator("tr").all()) {
    const kind = ((await row.getAttribute("data-testid")) ?? "").replace("receipt-", "");
    removed[kind] = Number(await row.locator("td.num").textContent());
  }
  await receipt.scrollIntoViewIfNeeded();
  await capture(page, "erase-receipt-ko.png", "erase-receipt-ko");
  const heading = (await receipt.locator("h3").textContent()) ?? "";
  const rows = await page.locator('[data-testid="doc-row"][data-file="deposit-contract.md"]').count();
  await setLanguage(page, "en");
  return { sawText, removed, heading, rows, kbRetention, problems };
});

const accessLists = scenario(async (page, problems) => {
  await signIn(page);
  const kbId = await createKnowledgeBase(page, `access ${Date.now()}`);
  await page.goto(`${BASE}/#/kbs/${kbId}/settings`);
  await page.getByTestId("kb-access").waitFor();
  const before = await page.getByTestId("kb-access-empty").textContent();
  await page.getByTestId("kb-access-name").fill("hr");
  await page.getByTestId("kb-access-add").click();
  await page.getByTestId("kb-access-kind").selectOption("user");
  await page.getByTestId("kb-access-name").fill("kim");
  await page.getByTestId("kb-access-name").press("Enter");
  await page.getByTestId("kb-access-save").click();
  await page.getByTestId("kb-access-notice").waitFor();
  await page.reload();
  await page.locator('[data-testid="kb-access"] [data-principal="user:kim"]').waitFor();
  await page.getByTestId("kb-access").scrollIntoViewIfNeeded();
  await capture(page, "kb-access.png", "kb-access");
  const shown = await page.locator('[data-testid="kb-access"] [data-principal]').evaluateAll((items) =>
    items.map((item) => item.getAttribute("data-principal")),
  );
  const response = await fetch(`${BASE}/api/v1/knowledge-bases/${kbId}/access`, { headers: { "X-API-Key": KEY } });
  const stored = (await response.json()).data.principals;
  await page.goto(`${BASE}/#/settings`);
  await page.getByTestId("sso-settings").waitFor();
  await page.getByTestId("sso-settings").scrollIntoViewIfNeeded();
  await capture(page, "sso-settings.png", "sso-settings");
  return { before, shown, stored, problems };
});

const accounts = scenario(async (page, problems) => {
  const email = process.env.JISIK_E2E_EMAIL ?? "";
  await page.goto(`${BASE}/`);
  await page.getByTestId("signin-email").fill(email);
  await page.getByTestId("signin-password").fill(process.env.JISIK_E2E_PASSWORD ?? "");
  await capture(page, "sign-in.png", "sign-in");
  await page.getByTestId("signin-submit").click();
  await page.getByTestId("nav-people").waitFor();
  const cookies = await page.context().cookies();
  const cookie = cookies.find((c) => c.name.includes("jisik-session"));
  check(cookie && cookie.httpOnly && cookie.sameSite === "Lax", `session cookie ${JSON.stringify(cookie)}`);
  await page.getByTestId("nav-people").click();
  const invited = `new-editor-${Date.now()}@example.com`;
  await invite(page, invited, "editor");
  const seats = await page.getByTestId("seats").textContent();
  await capture(page, "people.png", "people");
  await page.getByTestId("people-tab-keys").click();
  await page.getByTestId("key-name").fill("nightly import");
  await page.getByTestId("key-scope-write").check();
  await page.getByTestId("key-create").click();
  const shownKey = (await page.getByTestId("key-shown").locator("code").textContent()) ?? "";
  await page.locator('[data-testid="key-row"][data-name="nightly import"]').waitFor();
  await capture(page, "keys.png", "api-keys");
  const response = await fetch(`${BASE}/api/v1/invitations`, { headers: { "X-API-Key": KEY } });
  const stored = (await response.json()).data.map((item) => [item.email, item.role]);
  const keyWorks = (await fetch(`${BASE}/api/v1/auth/me`, { headers: { "X-API-Key": shownKey } })).status;
  await page.getByTestId("sign-out").click();
  await page.getByTestId("signin-form").waitFor();
  const afterSignOut = (await fetch(`${BASE}/api/v1/auth/me`, {
    headers: { Cookie: `${cookie.name}=${cookie.value}` },
  })).status;
  return { invited, stored, seats, cookie: { name: cookie.name, secure: cookie.secure }, keyWorks, afterSignOut, problems };
});

/** Invites `email` with `role` from the People page; the invitation link shown once. */
async function invite(page, email, role) {
  await page.getByTestId("invite-email").fill(email);
  await page.getByTestId("invite-role").selectOption(role);
  await page.getByTestId("invite-submit").click();
  await page.getByTestId("invite-link").waitFor();
  await page.locator(`[data-testid="invitation-row"][data-email="${email}"]`).waitFor();
  return (await page.getByTestId("invite-link").locator("code").textContent()) ?? "";
}

/** The secret shown once in `where` once it differs from `previous`. */
async function shownSecret(where, previous = "") {
  const code = where.getByTestId("key-shown").locator("code");
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const secret = (await code.textContent({ timeout: 15_000 })) ?? "";
    if (secret && secret !== previous) return secret;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error("expectation failed: no new key was shown");
}

/**
 * Service accounts (JISIK_E2E_EMAIL / JISIK_E2E_PASSWORD: an owner): one is made on the People page as an
 * editor; a key for it is issued with the write scope and 30 days (shown once) and works; rotating shows a new
 * secret and stops the old one; revoking stops the new one; after a reload no secret is on the page.
 */
const serviceAccounts = scenario(async (page, problems) => {
  await signInWithPassword(page, process.env.JISIK_E2E_EMAIL ?? "", process.env.JISIK_E2E_PASSWORD ?? "");
  await page.getByTestId("nav-people").click();
  await page.getByTestId("people-tab-service").click();
  await page.getByTestId("service-empty").waitFor();
  const account = `nightly-import-${Date.now() % 100000}`;
  await page.getByTestId("service-name").fill(account);
  await page.getByTestId("service-role").selectOption("editor");
  await page.getByTestId("service-create").click();
  const card = page.locator(`[data-testid="service-card"][data-name="${account}"]`);
  await card.getByTestId("keys-empty").waitFor();
  const role = (await card.getByTestId("service-card-role").textContent()) ?? "";

  await card.getByTestId("key-name").fill("importer");
  await card.getByTestId("key-scope-write").check();
  await card.getByTestId("key-days").fill("30");
  await card.getByTestId("key-create").click();
  const issued = await shownSecret(card);
  const row = card.locator('[data-testid="key-row"][data-name="importer"]');
  await row.waitFor();
  const expires = (await row.getByTestId("key-expires").textContent()) ?? "";
  const first = await whoIsKey(issued);
  await capture(page, "service-accounts.png", "service-accounts");

  await row.getByTestId("key-rotate").click();
  const rotated = await shownSecret(card, issued);
  const afterRotate = { old: (await whoIsKey(issued)).status, new: (await whoIsKey(rotated)).status };
  await row.getByTestId("key-revoke").click();
  await waitForAttribute(row, "data-status", "revoked");
  const afterRevoke = (await whoIsKey(rotated)).status;
  await page.reload();
  await card.getByTestId("key-row").first().waitFor();
  const secretShownAfterReload = (await page.locator("body").innerText()).includes(rotated.slice(-12));

  await page.getByTestId("lang-switch").click();
  const tabKo = (await page.getByTestId("people-tab-service").textContent()) ?? "";
  await capture(page, "service-accounts-ko.png", "service-accounts-ko");
  await page.getByTestId("lang-switch").click();
  return { account, role, expires, first, afterRotate, afterRevoke, secretShownAfterReload, tabKo, problems };
});

/**
 * An invitation accepted in the browser: the owner (JISIK_E2E_EMAIL / JISIK_E2E_PASSWORD) invites someone as an
 * editor in a browser of their own; in another, the invitee opens the link, chooses a name and a password and is
 * signed in; signs out; the link does not work twice; the chosen password signs them in again.
 */
const invitationAccept = scenario(async (page, problems) => {
  const invited = `invitee-${Date.now()}@example.com`;
  const owner = await launch();
  let link = "";
  try {
    await signInWithPassword(owner.page, process.env.JISIK_E2E_EMAIL ?? "", process.env.JISIK_E2E_PASSWORD ?? "");
    await owner.page.getByTestId("nav-people").click();
    link = await invite(owner.page, invited, "editor");
    problems.push(...owner.problems);
  } finally {
    await owner.close();
  }
  check(link.startsWith(`${BASE}/#/accept?token=`), `an invitation link to this app: ${link}`);

  const password = "harbour lights 2026";
  await page.goto(link);
  await page.getByTestId("accept-name").fill("Lee Seoyeon");
  await page.getByTestId("accept-password").fill(password);
  await capture(page, "accept-invitation.png", "accept-invitation");
  await page.getByTestId("accept-submit").click();
  await page.getByTestId("nav-chat").waitFor();
  const signedInAs = (await page.getByTestId("signed-in-as").textContent()) ?? "";
  await page.getByTestId("sign-out").click();
  await page.getByTestId("signin-form").waitFor();

  // The link works once.
  await page.goto(link);
  await page.getByTestId("accept-name").fill("Someone else");
  await page.getByTestId("accept-password").fill("another long password");
  await page.getByTestId("accept-submit").click();
  const reused = (await page.locator(".gate .error").textContent()) ?? "";

  await signInWithPassword(page, invited, password);
  const me = await page.evaluate(async () => (await (await fetch("/api/v1/auth/me")).json()).data);
  await capture(page, "invitee-signed-in.png", "invitee-signed-in");
  // The browser logs the refused second acceptance as a failed resource: that one is expected.
  const unexpected = problems.filter((problem) => !(problem.includes("status of 4") && problem.includes("/auth/invitations/accept")));
  return { invited, link, signedInAs, reused, me, problems: unexpected };
});

const ssoSignIn = scenario(async (page, problems) => {
  const provider = new URL(process.env.JISIK_E2E_OIDC_URL ?? "http://localhost").origin;
  await page.goto(`${BASE}/`);
  await page.getByTestId("sso-tenant").fill(process.env.JISIK_E2E_TENANT ?? "");
  await capture(page, "sso-sign-in.png", "sso-sign-in");
  const beforeProvider = problems.length;
  await page.getByTestId("sso-signin").click();
  await page.waitForURL((url) => url.origin === provider);
  await page.screenshot({ path: join(WORK, "sso-provider.png") });
  await page.locator('input[name="sub"]').fill(process.env.JISIK_E2E_SUBJECT ?? "");
  await page.getByRole("button", { name: "Authorize" }).click();
  await page.waitForURL((url) => url.origin === new URL(BASE).origin);
  // The provider's own page loads its stylesheet from a CDN, which this machine cannot reach: what went
  // wrong on its page is reported apart; the app's own pages must have no problem.
  const providerProblems = problems.splice(beforeProvider);
  await page.getByTestId("nav-kbs").waitFor();
  const me = await page.evaluate(async () => (await (await fetch("/api/v1/auth/me")).json()).data);
  await capture(page, "sso-signed-in.png", "sso-signed-in");
  return { me, problems, providerProblems };
});

/**
 * A fine-tuned LoRA bi-encoder registered for the tenant as its version 1 (by the Python test): the Models page
 * shows its method, "Serve as challenger" queues the knowledge base's re-embedding, whose progress shows on
 * the version until its vectors are complete; then the canary starts.
 */
const biEncoder = scenario(async (page, problems) => {
  await signIn(page);
  await page.getByTestId("nav-models").click();
  await page.getByTestId("models-page").waitFor();
  const version = page.locator('[data-testid="model-version"][data-version="1"]');
  const method = (await version.getByTestId("model-method").textContent()) ?? "";
  const before = await version.getByTestId("bi-encoder").getAttribute("data-vectors");
  await version.getByTestId("serve-version").click();
  await waitForAttribute(version, "data-aliases", "challenger");
  const states = new Set();
  const deadline = Date.now() + 180_000;
  let state = "";
  while (Date.now() < deadline && state !== "ready") {
    state = (await version.getByTestId("bi-encoder").getAttribute("data-vectors")) ?? "";
    states.add(state);
    if (state === "failed") throw new Error("re-embedding failed");
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  check(state === "ready", `the vectors became complete (last state ${state})`);
  const vectors = (await version.getByTestId("vectors-state").textContent()) ?? "";
  await page.getByTestId("promote").click();
  await waitForAttribute(page.getByTestId("rollout"), "data-percent", "10");
  await capture(page, "bi-encoder.png", "models-bi-encoder", { fullPage: true });
  return { method, before, states: [...states], vectors, percent: 10, problems };
});

/** With training consent on, a knowledge base named `name` (plus a timestamp) holding a ten-section harbour handbook. */
async function baseWithHandbook(page, name) {
  await signIn(page);
  await savePrivacy(page, { consent: true });
  const kbId = await createKnowledgeBase(page, `${name} ${Date.now()}`);
  await page.goto(`${BASE}/#/kbs/${kbId}`);
  const file = join(WORK, "harbour-handbook.md");
  const sections = [
    ["Ferry timetable", "The morning ferry to Jeju leaves pier 3 at 07:30. The crossing takes four and a half hours."],
    ["Parking", "The harbour car park opens at dawn and closes at midnight. Trucks park in zone C behind the fish market."],
    ["Lost property", "Lost items are kept at the harbour office for thirty days. Passports go to the police station on day two."],
    ["Bicycles", "Bicycles travel free of charge on every sailing. Electric scooters need a ticket of their own."],
    ["Pets", "Dogs travel in the kennel deck on the lower level. Cats must stay in a closed carrier during the crossing."],
    ["Weather", "Sailings stop when the wind passes twenty metres per second. Refunds are paid within five working days."],
    ["Tickets", "Tickets are sold at counter 2 from 06:00. Students show their card for a twenty percent discount."],
    ["Food", "The ship's canteen serves bibimbap and noodle soup. The coffee stand on deck 4 opens after departure."],
    ["Accessibility", "A lift connects the car deck with the passenger lounge. Wheelchairs can be borrowed at the gangway."],
    ["Luggage", "Each passenger may bring two bags of up to twenty kilograms. Surfboards are stowed on the car deck."],
  ];
  writeFileSync(file, `# Harbour handbook\n\n${sections.map(([h, body]) => `## ${h}\n\n${body}\n`).join("\n")}`);
  await uploadAndWait(page, [file]);
  return kbId;
}

/**
 * Own models end to end: training consent on, a handbook uploaded, a thumbs up on an answer's citation
 * (then changed to down and back), a training job started on the Models page and watched to its end, the
 * registered challenger promoted into its first canary step.
 */
const ownModels = scenario(async (page, problems) => {
  await baseWithHandbook(page, "e2e models");
  await askThisBase(page);
  const { answer } = await ask(page, "When does the morning ferry to Jeju leave?");

  // Thumbs on the first citation: up, then changed to down, then up again; and on the answer itself.
  await answer.locator("details.sources summary").click();
  const thumbs = answer.getByTestId("thumbs-1");
  const ratingIs = (locator, value) => waitForAttribute(locator, "data-rating", value);
  await answer.getByTestId("thumbs-1-up").click();
  await ratingIs(thumbs, "up");
  await answer.getByTestId("thumbs-1-down").click();
  await ratingIs(thumbs, "down");
  const changed = await thumbs.getAttribute("data-rating");
  await answer.getByTestId("thumbs-1-up").click();
  await ratingIs(thumbs, "up");
  await answer.getByTestId("thumbs-answer-up").click();
  await ratingIs(answer.getByTestId("thumbs-answer"), "up");
  await answer.scrollIntoViewIfNeeded();
  await capture(page, "thumbs.png", "chat-thumbs");
  const citationRating = await thumbs.getAttribute("data-rating");

  await page.getByTestId("nav-models").click();
  await page.getByTestId("models-page").waitFor();
  const feedbackShown = (await page.getByTestId("training-data").textContent()) ?? "";
  await page.waitForSelector('[data-testid="start-training"]:not([disabled])', { timeout: 15_000 });
  await page.getByTestId("start-training").click();
  const { status, seen, log } = await watchNewestJob(page, 240_000);
  check(status === "succeeded", `the training job ended as ${status}: ${log}`);
  await page.waitForFunction(
    () => document.querySelector('[data-testid="rollout-challenger"]')?.textContent?.startsWith("v"), null, { timeout: 15_000 },
  );
  const challenger = (await page.getByTestId("rollout-challenger").textContent()) ?? "";
  await page.getByTestId("promote").click();
  await page.waitForSelector('[data-testid="rollout"][data-percent="10"]', { timeout: 15_000 });
  const afterPromote = {
    percent: Number(await page.getByTestId("rollout").getAttribute("data-percent")),
    state: await page.getByTestId("rollout").getAttribute("data-state"),
  };
  await capture(page, "models.png", "models", { fullPage: true });
  const metricRuns = await page.locator('[data-testid="version-metrics"] tr[data-run]').count();
  return { changed, citationRating, feedbackShown, seen, log, challenger, afterPromote, metricRuns, problems };
});

/**
 * Cross-encoder reranker: with a handbook indexed, "Train cross-encoder" on the Models page starts a job of
 * that kind (the test stack gives transformer fine-tuning a budget of seconds), watched to its end; the
 * registered version shows as a cross-encoder reranker with its held-out metrics, in English and Korean.
 */
const crossEncoder = scenario(async (page, problems) => {
  await baseWithHandbook(page, "e2e cross-encoder");
  await page.getByTestId("nav-models").click();
  await page.getByTestId("models-page").waitFor();
  await page.waitForSelector('[data-testid="start-cross-encoder"]:not([disabled])', { timeout: 15_000 });
  await page.getByTestId("start-cross-encoder").click();
  const job = await watchNewestJob(page, 300_000);
  check(job.status === "succeeded", `the cross-encoder job ended as ${job.status}: ${job.log}`);
  const version = page.locator('[data-testid="model-version"][data-kind="cross_encoder"]').first();
  await version.waitFor({ timeout: 15_000 });
  const label = (await version.getByTestId("version-kind").textContent()) ?? "";
  const runs = await version.locator("tr[data-run]").evaluateAll((rows) => rows.map((row) => row.getAttribute("data-run")));
  await version.scrollIntoViewIfNeeded();
  await capture(page, "cross-encoder.png", "models-cross-encoder");
  await setLanguage(page, "ko");
  await page.getByTestId("nav-models").click();
  await version.waitFor();
  await version.scrollIntoViewIfNeeded();
  const labelKo = (await version.getByTestId("version-kind").textContent()) ?? "";
  const jobKindKo = (await page.getByTestId("job-kind").first().textContent()) ?? "";
  await capture(page, "cross-encoder-ko.png", "models-cross-encoder-ko");
  return { job, label, labelKo, jobKindKo, runs, version: await version.getAttribute("data-version"), problems };
});

/**
 * Field tagger: the Python test set up a knowledge base whose invoices call the supply amount 물품대금 (a
 * label its schema lacks) and had reviewers approve all but one (field-tagger.json names the base and the
 * last one). Here a reviewer corrects that last one in the browser, then trains the base's field tagger on
 * the Models page, sees its entity F1 against no champion, and promotes it to champion.
 */
const fieldTagger = scenario(async (page, problems) => {
  const setup = JSON.parse(readFileSync(join(WORK, "field-tagger.json"), "utf-8"));
  await signIn(page);
  await page.goto(`${BASE}/#/review?kb=${setup.kbId}`);
  const queued = page.locator(`[data-testid="review-row"][data-name="${setup.pending.name}"]`);
  await queued.waitFor({ timeout: 30_000 });
  await queued.getByTestId("review-open").click();
  await page.getByTestId("review-screen").waitFor();
  const supply = page.locator('[data-testid="review-field"][data-name="supply"]');
  await supply.getByTestId("review-input").fill(setup.pending.supply);
  await page.getByTestId("review-approve").click();
  await page.getByTestId("review-done").waitFor();

  await page.getByTestId("nav-models").click();
  await page.getByTestId("models-page").waitFor();
  const card = page.locator(`[data-testid="field-tagger"][data-kb="${setup.kbId}"]`);
  await card.waitFor();
  const reviewed = (await card.getByTestId("tagger-reviewed").textContent()) ?? "";
  await page.waitForSelector(`[data-kb="${setup.kbId}"] [data-testid="train-tagger"]:not([disabled])`, { timeout: 15_000 });
  await card.getByTestId("train-tagger").click();
  const { status, kind, log } = await watchNewestJob(page, 180_000);
  check(status === "succeeded", `the tagger job ended as ${status}: ${log}`);
  const version = card.getByTestId("tagger-version").first();
  await page.waitForFunction(
    (kb) => document.querySelector(`[data-kb="${kb}"] [data-testid="tagger-version"]`)?.getAttribute("data-aliases") === "challenger",
    setup.kbId, { timeout: 15_000 },
  );
  const f1 = (await version.getByTestId("tagger-f1").textContent()) ?? "";
  await card.getByTestId("promote-tagger").click();
  await page.waitForFunction(
    (kb) => document.querySelector(`[data-kb="${kb}"] [data-testid="tagger-version"]`)?.getAttribute("data-aliases") === "champion",
    setup.kbId, { timeout: 15_000 },
  );
  await card.scrollIntoViewIfNeeded();
  await capture(page, "field-tagger.png", "models-field-tagger");
  return { reviewed, kind, log, f1, aliases: await version.getAttribute("data-aliases"), problems };
});

const SCENARIOS = {
  "upload-chat": uploadChat, editor, "pdf-citation": pdfCitation, screens, "fields-review": fieldsReview,
  "key-rotation": keyRotation, "hwp-upload": hwpUpload, "lag-status": lagStatus, "privacy-settings": privacySettings,
  "stream-monitor": streamMonitor, "audit-timeline": auditTimeline, "access-lists": accessLists,
  "privacy-erase": privacyErase, "usage-page": usagePage, webhooks, accounts, "sso-signin": ssoSignIn,
  "own-models": ownModels, "cross-encoder": crossEncoder, "service-accounts": serviceAccounts, "invitation-accept": invitationAccept,
  "field-tagger": fieldTagger, "bi-encoder": biEncoder,
};
const name = process.argv[2];
if (!SCENARIOS[name] || !BASE || (!KEY && name !== "sso-signin")) {
  console.error(`usage: JISIK_GATEWAY_URL=... JISIK_API_KEY=... node e2e/run.mjs ${Object.keys(SCENARIOS).join("|")}`);
  process.exit(2);
}
try {
  const result = await SCENARIOS[name]();
  console.log(JSON.stringify({ scenario: name, ok: true, ...result }));
} catch (error) {
  console.error(`${name}: ${error.stack ?? error}`);
  process.exit(1);
}
