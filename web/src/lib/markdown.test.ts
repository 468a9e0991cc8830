import { describe, expect, it } from "vitest";
import { renderMarkdown } from "./markdown";

describe("renderMarkdown", () => {
  it("marks flagged citation markers as unsupported, counting markers in order", () => {
    const html = renderMarkdown("A [1]. B [1][2].", { citations: true, flagged: new Set([1]), flaggedTitle: "not <supported>" });
    expect(html.match(/data-unsupported="true"/g)).toHaveLength(1);
    expect(html).toContain('class="cite unsupported" data-cite="1" data-unsupported="true" title="not &lt;supported&gt;">1⚠</button>');
    expect(renderMarkdown("A [1].", { citations: true })).not.toContain("unsupported");
  });

  it("turns [n] markers into citation buttons", () => {
    const html = renderMarkdown("Seoul is the capital [1][2].", { citations: true });
    const doc = new DOMParser().parseFromString(html, "text/html");
    const buttons = [...doc.querySelectorAll("button.cite")].map((b) => b.getAttribute("data-cite"));
    expect(buttons).toEqual(["1", "2"]);
  });

  it("leaves links, code and plain rendering alone", () => {
    const html = renderMarkdown("see [1](https://example.com) and `a[2]`", { citations: true });
    expect(html).not.toContain("data-cite");
    expect(html).toContain('href="https://example.com"');
    expect(renderMarkdown("plain [3]")).not.toContain("data-cite");
  });

  it("renders GFM tables as tables", () => {
    const html = renderMarkdown("| 이름 | 값 |\n|---|---|\n| a | 1 |\n");
    const doc = new DOMParser().parseFromString(html, "text/html");
    expect(doc.querySelectorAll("table td")).toHaveLength(2);
    expect(doc.querySelector("th")?.textContent).toBe("이름");
  });

  it("strips scripts and event handlers from hostile content", () => {
    const html = renderMarkdown('<img src=x onerror="alert(1)"><script>alert(2)</script>[1]', { citations: true });
    expect(html).not.toContain("onerror");
    expect(html).not.toContain("<script");
    expect(html).toContain("data-cite");
  });

  it("highlights fenced code in known languages", () => {
    expect(renderMarkdown("```python\ndef f():\n    return 1\n```")).toContain("hljs-keyword");
  });
});
