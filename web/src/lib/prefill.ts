// Hands an answer to the Markdown editor ("add to knowledge base").
import { navigate } from "./router";

const KEY = "jisik.editorPrefill";
export const TITLE_MAX = 40;

export interface Prefill {
  title: string;
  content: string;
}

export function prefillTitle(question: string): string {
  const oneLine = question.replace(/\s+/g, " ").trim();
  return oneLine.length > TITLE_MAX ? `${oneLine.slice(0, TITLE_MAX - 1)}…` : oneLine;
}

export function openEditorWith(prefill: Prefill): void {
  sessionStorage.setItem(KEY, JSON.stringify({ title: prefillTitle(prefill.title), content: prefill.content }));
  navigate("/editor?prefill=1");
}

/** Takes the pending prefill (once). */
export function takePrefill(): Prefill | null {
  const raw = sessionStorage.getItem(KEY);
  sessionStorage.removeItem(KEY);
  if (!raw) return null;
  try {
    const value = JSON.parse(raw) as Prefill;
    return typeof value.title === "string" && typeof value.content === "string" ? value : null;
  } catch {
    return null;
  }
}
