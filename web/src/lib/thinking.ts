// Separates a model's "<think>...</think>" reasoning from the answer text, also while it streams.

export interface SplitAnswer {
  thinking: string;
  answer: string;
  /** True while a <think> block is open (the model is still reasoning). */
  thinkingOpen: boolean;
}

export function splitThinking(text: string): SplitAnswer {
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
  return { thinking: thinking.trim(), answer: answer.replace(/^\s+/, ""), thinkingOpen };
}
