import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import type { ReactNode } from "react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiProvider } from "../api/context";
import type { Reference } from "../api/types";
import { I18nProvider } from "../i18n";
import { emptyAnswer, type AnswerState } from "../lib/answer";
import { AccessListEditor, type AccessState } from "./AccessListEditor";
import { AnswerView } from "./AnswerView";
import { AuditTimeline } from "./AuditTimeline";
import { ChunkView } from "./ChunkView";
import { CitationPanel } from "./CitationPanel";
import { UploadZone } from "./UploadZone";

const wrap = (node: ReactNode) =>
  render(
    <I18nProvider>
      <ApiProvider>{node}</ApiProvider>
    </I18nProvider>,
  );

const reference: Reference = {
  id: "c1", content: "서울은 대한민국의 **수도**이다.", knowledge_id: "doc-1", knowledge_title: "Korea facts", chunk_index: 4,
  start_at: 0, end_at: 20, seq: 4, score: 0.87, match_type: 0, metadata: { pages: [12] },
};

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  localStorage.clear();
});

describe("AnswerView", () => {
  const answer = (patch: Partial<AnswerState>): AnswerState => ({ ...emptyAnswer(), status: "done", ...patch });
  const noop = async () => undefined;
  const noPrompt = async () => null;

  it("opens the cited reference with the sentence before the clicked [n] marker", () => {
    const onCite = vi.fn();
    const content = "Busan is second [1]. Seoul is the capital [1].";
    wrap(<AnswerView answer={answer({ content, references: [reference] })} onCite={onCite} onRetry={vi.fn()} onAddToKb={vi.fn()} onTimings={noop} onModelPrompt={noPrompt} />);
    fireEvent.click(document.querySelectorAll("button.cite")[1]);
    expect(onCite).toHaveBeenCalledWith(reference, 1, "Seoul is the capital");
  });

  it("marks an unsupported citation and says how many there are", () => {
    const content = "Badges are at reception [1]. Lunch costs 5 dollars [1].";
    const unsupported = [{ number: 1, sentence: "Lunch costs 5 dollars" }];
    wrap(<AnswerView answer={answer({ content, references: [reference], unsupported })} onCite={vi.fn()} onRetry={vi.fn()} onAddToKb={vi.fn()} onTimings={noop} onModelPrompt={noPrompt} />);
    const markers = [...document.querySelectorAll("button.cite")];
    expect(markers.map((m) => m.getAttribute("data-unsupported"))).toEqual([null, "true"]);
    expect(markers[1].textContent).toBe("1⚠");
    expect(screen.getByTestId("unsupported-note").textContent).toContain("1");
  });

  it("shows what the model saw, placeholders and all, when toggled", async () => {
    const prompt = {
      masked: 2,
      messages: [{ role: "user", content: "⟦NAME_1⟧ 고객의 연락처 ⟦PHONE_1⟧" }],
      passages: [],
      question: "⟦NAME_1⟧ 고객의 연락처 ⟦PHONE_1⟧",
    };
    const onModelPrompt = vi.fn(async () => prompt);
    wrap(<AnswerView answer={answer({ content: "김민준 010-2345-6789" })} onCite={vi.fn()} onRetry={vi.fn()} onAddToKb={vi.fn()} onTimings={noop} onModelPrompt={onModelPrompt} />);
    expect(screen.queryByTestId("model-saw")).toBeNull();
    fireEvent.click(screen.getByTestId("model-saw-toggle"));
    const panel = await screen.findByTestId("model-saw");
    expect(panel.textContent).toContain("⟦PHONE_1⟧");
    expect(panel.textContent).not.toContain("010-2345-6789");
    fireEvent.click(screen.getByTestId("model-saw-toggle"));
    expect(screen.queryByTestId("model-saw")).toBeNull();
    expect(onModelPrompt).toHaveBeenCalledOnce();
  });

  it("ignores a marker with no matching reference", () => {
    const onCite = vi.fn();
    wrap(<AnswerView answer={answer({ content: "x [7]", references: [reference] })} onCite={onCite} onRetry={vi.fn()} onAddToKb={vi.fn()} onTimings={noop} onModelPrompt={noPrompt} />);
    fireEvent.click(document.querySelector("button.cite")!);
    expect(onCite).not.toHaveBeenCalled();
  });

  it("keeps what arrived after a dropped connection and offers retry", () => {
    const onRetry = vi.fn();
    wrap(<AnswerView answer={answer({ content: "half an ans", status: "interrupted" })} onCite={vi.fn()} onRetry={onRetry} onAddToKb={vi.fn()} onTimings={noop} onModelPrompt={noPrompt} />);
    expect(screen.getByText("half an ans")).toBeTruthy();
    fireEvent.click(screen.getByTestId("retry"));
    expect(onRetry).toHaveBeenCalledOnce();
  });

  it("puts thinking in a collapsible panel, apart from the answer", () => {
    wrap(<AnswerView answer={answer({ content: "<think>pondering</think>The answer" })} onCite={vi.fn()} onRetry={vi.fn()} onAddToKb={vi.fn()} onTimings={noop} onModelPrompt={noPrompt} />);
    const details = document.querySelector("details.thinking") as HTMLDetailsElement;
    expect(details.textContent).toContain("pondering");
    expect(details.open).toBe(false);
    expect(document.querySelector(".markdown")?.textContent?.trim()).toBe("The answer");
  });

  it("shows stage timings on demand and adds the answer to a knowledge base", () => {
    const onAdd = vi.fn();
    wrap(<AnswerView answer={answer({ content: "A", timings: [{ name: "rerank", ms: 41.6 }] })} onCite={vi.fn()} onRetry={vi.fn()} onAddToKb={onAdd} onTimings={noop} onModelPrompt={noPrompt} />);
    expect(screen.queryByTestId("timings")).toBeNull();
    fireEvent.click(screen.getByTestId("timings-toggle"));
    expect(screen.getByTestId("timings").textContent).toContain("rerank");
    expect(screen.getByTestId("timings").textContent).toContain("42 ms");
    fireEvent.click(screen.getByTestId("add-to-kb"));
    expect(onAdd).toHaveBeenCalledWith("A");
  });
});

describe("CitationPanel", () => {
  it("shows the document title, page and highlighted passage", () => {
    wrap(<CitationPanel reference={reference} n={1} onClose={vi.fn()} />);
    expect(screen.getByTestId("citation-title").textContent).toBe("Korea facts");
    expect(screen.getByTestId("citation-page").textContent).toContain("12");
    expect(screen.getByTestId("citation-passage").querySelector("strong")?.textContent).toBe("수도");
  });
});

describe("UploadZone", () => {
  it("explains per file why a file is refused and uploads the rest", async () => {
    localStorage.setItem("jisik.apiKey", "sk-x");
    const sent: string[] = [];
    class FakeXhr {
      upload = { onprogress: null };
      status = 200;
      statusText = "OK";
      responseText = "";
      onload: (() => void) | null = null;
      onerror: (() => void) | null = null;
      open() {}
      setRequestHeader() {}
      send(form: FormData) {
        const file = form.get("file") as File;
        sent.push(file.name);
        this.responseText = JSON.stringify({ success: true, data: { id: "k1", title: file.name, parse_status: "pending" } });
        queueMicrotask(() => this.onload?.());
      }
    }
    vi.stubGlobal("XMLHttpRequest", FakeXhr);
    const onUploaded = vi.fn();
    wrap(<UploadZone kbId="kb" onUploaded={onUploaded} maxMb={1} />);
    const files = [
      new File(["%PDF-1.7"], "ok.pdf"),
      new File(["MZ"], "tool.exe"),
      new File([new Uint8Array(2 * 1024 * 1024)], "huge.txt"),
    ];
    fireEvent.change(screen.getByTestId("file-input"), { target: { files } });
    await waitFor(() => expect(onUploaded).toHaveBeenCalledOnce());
    expect(sent).toEqual(["ok.pdf"]);
    const errors = screen.getAllByTestId("upload-error").map((e) => e.textContent);
    expect(errors).toEqual([expect.stringContaining(".exe"), expect.stringContaining("2.0 MB")]);
  });

  it("accepts many files dropped at once", async () => {
    const sent: string[] = [];
    class OkXhr {
      upload = { onprogress: null };
      status = 201;
      statusText = "";
      responseText = "";
      onload: (() => void) | null = null;
      open() {}
      setRequestHeader() {}
      send(form: FormData) {
        const name = (form.get("file") as File).name;
        sent.push(name);
        this.responseText = JSON.stringify({ success: true, data: { id: name, title: name, parse_status: "pending" } });
        queueMicrotask(() => this.onload?.());
      }
    }
    vi.stubGlobal("XMLHttpRequest", OkXhr);
    const onUploaded = vi.fn();
    wrap(<UploadZone kbId="kb" onUploaded={onUploaded} />);
    const files = ["a.pdf", "b.docx", "c.xlsx", "d.pptx"].map((name) => new File(["x"], name));
    fireEvent.drop(screen.getByTestId("dropzone"), { dataTransfer: { files } });
    await waitFor(() => expect(onUploaded).toHaveBeenCalledTimes(4));
    expect(sent.sort()).toEqual(["a.pdf", "b.docx", "c.xlsx", "d.pptx"]);
  });

  it("shows the server's reason when it refuses an upload", async () => {
    class RefusingXhr {
      upload = { onprogress: null };
      status = 413;
      statusText = "";
      responseText = JSON.stringify({ success: false, error: { code: "too_large", message: "file exceeds 100 MiB" } });
      onload: (() => void) | null = null;
      open() {}
      setRequestHeader() {}
      send() {
        queueMicrotask(() => this.onload?.());
      }
    }
    vi.stubGlobal("XMLHttpRequest", RefusingXhr);
    wrap(<UploadZone kbId="kb" onUploaded={vi.fn()} />);
    fireEvent.change(screen.getByTestId("file-input"), { target: { files: [new File(["x"], "a.md")] } });
    await waitFor(() => expect(screen.getByTestId("upload-error").textContent).toContain("file exceeds 100 MiB"));
  });
});

describe("ChunkView", () => {
  it("renders table chunks as tables and images with caption and OCR text", () => {
    wrap(
      <ChunkView
        highlighted
        chunk={{
          id: "c", knowledge_id: "k", content: "| 항목 | 값 |\n|---|---|\n| 금리 | 3.5% |\n", chunk_index: 2, start_at: 0, end_at: 10,
          pages: [4], chunk_type: "text",
          image_info: [{ url: "javascript:alert(1)", caption: "기준금리 추이 그래프", ocr_text: "2021 0.5%\n2022 3.25%" }],
        }}
      />,
    );
    const chunk = screen.getByTestId("chunk");
    expect(chunk.className).toContain("highlighted");
    expect(chunk.querySelectorAll("table td")[1].textContent).toBe("3.5%");
    expect(chunk.textContent).toContain("기준금리 추이 그래프");
    expect(chunk.querySelector(".ocr pre")?.textContent).toBe("2021 0.5%\n2022 3.25%");
    expect(chunk.querySelector("img")).toBeNull();
  });
});

describe("AccessListEditor", () => {
  it("shows the inherited list while empty, and saves an added group", async () => {
    const loaded: AccessState = { principals: [], inherited: ["group:hr"], may_manage: true };
    const save = vi.fn(async (principals: string[]) => ({ ...loaded, principals }));
    wrap(<AccessListEditor load={async () => loaded} save={save} testId="acl" />);
    expect((await screen.findByTestId("acl-empty")).textContent).toContain("group:hr");
    fireEvent.change(screen.getByTestId("acl-name"), { target: { value: " finance " } });
    fireEvent.click(screen.getByTestId("acl-add"));
    fireEvent.click(screen.getByTestId("acl-save"));
    await waitFor(() => expect(save).toHaveBeenCalledWith(["group:finance"]));
    expect(document.querySelector('[data-principal="group:finance"]')).not.toBeNull();
  });

  it("is read-only for someone who may not manage it", async () => {
    wrap(<AccessListEditor load={async () => ({ principals: ["user:u1"], may_manage: false })} save={vi.fn()} testId="acl" />);
    await screen.findByTestId("acl-list");
    expect(screen.queryByTestId("acl-save")).toBeNull();
    expect(document.querySelector('[data-principal="user:u1"]')).not.toBeNull();
  });
});

describe("AuditTimeline", () => {
  const event = (n: number) => ({
    id: `e${n}`, entity_type: "document", entity_id: "d1", action: n === 24 ? "created" : "updated",
    knowledge_base_id: "kb1", document_id: "d1", actor: "key:sk-abc", request_id: `r${n}`,
    occurred_at: new Date(Date.UTC(2026, 0, 1, 0, 0, 60 - n)).toISOString(),
    changes: n === 24 ? { id: { before: null, after: "d1" }, title: { before: null, after: "Memo" }, description: { before: null, after: "" } }
      : { title: { before: `t${n + 1}`, after: `t${n}` } },
  });

  it("pages older events in with Show more and stops at the total", async () => {
    localStorage.setItem("jisik.apiKey", "sk-test");
    const requested: string[] = [];
    vi.stubGlobal("fetch", async (url: string) => {
      requested.push(url);
      const page = Number(new URL(url, "http://x").searchParams.get("page"));
      const ids = page === 1 ? [...Array(20).keys()] : [20, 21, 22, 23, 24];
      return new Response(JSON.stringify({ success: true, data: ids.map(event), total: 25, page, page_size: 20 }));
    });
    wrap(<AuditTimeline filter={{ document_id: "d1" }} showEntity />);
    await waitFor(() => expect(screen.getAllByTestId("audit-event")).toHaveLength(20));
    expect(requested[0]).toContain("document_id=d1");
    fireEvent.click(screen.getByTestId("audit-more"));
    await waitFor(() => expect(screen.getAllByTestId("audit-event")).toHaveLength(25));
    expect(screen.queryByTestId("audit-more")).toBeNull();
    // A creation lists what it set, not the implied id or empty columns.
    const created = screen.getAllByTestId("audit-event")[24].textContent ?? "";
    expect(created).toContain("Memo");
    expect(created).not.toContain("description");
    expect(created).not.toMatch(/\bid\b/);
  });

  it("narrows to one actor when their name is clicked, and back", async () => {
    localStorage.setItem("jisik.apiKey", "sk-test");
    const requested: string[] = [];
    vi.stubGlobal("fetch", async (url: string) => {
      requested.push(url);
      return new Response(JSON.stringify({ success: true, data: [event(1)], total: 1, page: 1, page_size: 20 }));
    });
    wrap(<AuditTimeline filter={{}} showEntity />);
    await waitFor(() => expect(screen.getAllByTestId("audit-event")).toHaveLength(1));
    fireEvent.click(screen.getByTestId("audit-actor"));
    await waitFor(() => expect(requested.at(-1)).toContain("actor=key%3Ask-abc"));
    expect(screen.getByTestId("audit-actor-filter").textContent).toContain("key:sk-abc");
    fireEvent.click(screen.getByTestId("audit-actor-clear"));
    await waitFor(() => expect(requested.at(-1)).not.toContain("actor="));
  });
});
