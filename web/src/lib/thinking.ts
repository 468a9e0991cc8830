// Separates a model's "<think>...</think>" reasoning from the answer text, also while it streams.

export interface SplitAnswer {
  thinking: string;
  answer: string;
  /** True while a <think> block is open (the model is still reasoning). */
  thinkingOpen: boolean;
}

/** While streaming, a trailing "<thi" may be the start of a think tag: hold it back until it completes. */
function withoutPartialTag(answer: string): string {
  for (let k = 6; k >= 1; k--) if (answer.endsWith("<think>".slice(0, k))) return answer.slice(0, -k);
  return answer;
}

export function splitThinking(text: string, streaming = false): SplitAnswer {
  let thinking = "";
  let answer = "";
  let rest = text;
  let thinkingOpen = false;
  for (;;) {
    const open = rest.indexOf("<think>");
    if (open === -1) {
      answer += rest;
      break;
    }
    answer += rest.slice(0, open);
    const close = rest.indexOf("</think>", open);
    if (close === -1) {
      thinking += rest.slice(open + 7);
      thinkingOpen = true;
      break;
    }
    thinking += rest.slice(open + 7, close);
    rest = rest.slice(close + 8);
  }
  if (streaming && !thinkingOpen) answer = withoutPartialTag(answer);
  return { thinking: thinking.trim(), answer: answer.replace(/^\s+/, ""), thinkingOpen };
}
