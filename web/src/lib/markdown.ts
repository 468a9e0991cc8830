// Markdown to sanitized HTML: GFM tables, highlighted code and clickable [n] citation markers.
import DOMPurify from "dompurify";
import { Marked, type Tokens } from "marked";
import hljs from "highlight.js/lib/core";
import bash from "highlight.js/lib/languages/bash";
import javascript from "highlight.js/lib/languages/javascript";
import json from "highlight.js/lib/languages/json";
import python from "highlight.js/lib/languages/python";
import sql from "highlight.js/lib/languages/sql";
import typescript from "highlight.js/lib/languages/typescript";
import yaml from "highlight.js/lib/languages/yaml";

for (const [name, lang] of Object.entries({ bash, javascript, json, python, sql, typescript, yaml })) {
  hljs.registerLanguage(name, lang);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

interface CitationToken extends Tokens.Generic {
  type: "citation";
  n: number;
}

// The citation renderer numbers the markers of one parse in order; parse is synchronous, so this
// state is set just before a parse and read by the renderer during it.
const citationState = { next: 0, flagged: new Set<number>() as ReadonlySet<number>, flaggedTitle: "" };

function createMarked(citations: boolean): Marked {
  const marked = new Marked({ gfm: true, breaks: false });
  marked.use({
    renderer: {
      code({ text, lang }: Tokens.Code) {
        const language = lang && hljs.getLanguage(lang) ? lang : undefined;
        const html = language ? hljs.highlight(text, { language }).value : escapeHtml(text);
        return `<pre><code class="hljs${language ? ` language-${language}` : ""}">${html}</code></pre>`;
      },
    },
  });
  if (citations) {
    marked.use({
      extensions: [
        {
          name: "citation",
          level: "inline",
          start: (src: string) => src.indexOf("["),
          tokenizer(src: string): CitationToken | undefined {
            // [n] but not a link "[n](url)"; adjacent markers "[1][2]" are two citations.
            const match = /^\[(\d{1,3})\](?!\()/.exec(src);
            if (!match) return undefined;
            return { type: "citation", raw: match[0], n: Number(match[1]) };
          },
          renderer(token) {
            const n = (token as CitationToken).n;
            const index = citationState.next++;
            if (!citationState.flagged.has(index)) return `<button type="button" class="cite" data-cite="${n}">${n}</button>`;
            const title = escapeHtml(citationState.flaggedTitle);
            return `<button type="button" class="cite unsupported" data-cite="${n}" data-unsupported="true" title="${title}">${n}⚠</button>`;
          },
        },
      ],
    });
  }
  return marked;
}

const withCitations = createMarked(true);
const plain = createMarked(false);

export interface RenderOptions {
  /** Turn [n] into buttons with data-cite. */
  citations?: boolean;
  /** Markers (0-based, in order) to show as unsupported, with this tooltip. */
  flagged?: ReadonlySet<number>;
  flaggedTitle?: string;
}

/** Renders Markdown to HTML that is safe to inject. */
export function renderMarkdown(text: string, options: RenderOptions = {}): string {
  citationState.next = 0;
  citationState.flagged = options.flagged ?? new Set();
  citationState.flaggedTitle = options.flaggedTitle ?? "";
  const html = (options.citations ? withCitations : plain).parse(text, { async: false }) as string;
  return DOMPurify.sanitize(html, { ADD_ATTR: ["data-cite", "data-unsupported"], FORBID_TAGS: ["style", "form", "input"] });
}
