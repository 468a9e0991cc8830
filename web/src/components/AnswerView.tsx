import { Brain, Check, Clock, Copy, FilePlus2, RotateCcw, ScanEye } from "lucide-react";
import { useMemo, useState } from "react";
import type { ModelPrompt, Reference } from "../api/types";
import { useI18n } from "../i18n";
import { flaggedCitations, type AnswerState } from "../lib/answer";
import type { AnswerFeedback } from "../lib/useFeedback";
import { FeedbackThumbs } from "./FeedbackThumbs";
import { splitThinking } from "../lib/thinking";
import { Markdown } from "./Markdown";

interface Props {
  answer: AnswerState;
  /** `focus`: the answer's sentence just before the clicked marker (what the passage should support). */
  onCite: (reference: Reference, n: number, focus: string) => void;
  onRetry: () => void;
  onAddToKb: (answerText: string) => void;
  onTimings: () => Promise<void>;
  /** What the model saw for this answer (null: none was recorded). */
  onModelPrompt: () => Promise<ModelPrompt | null>;
  /** Thumbs on the answer and on each citation (shown once the answer is stored). */
  feedback?: AnswerFeedback;
}

async function copyText(text: string): Promise<void> {
  if (navigator.clipboard?.writeText) {
    try {
      await navigator.clipboard.writeText(text);
      return;
    } catch {
      // fall through to the selection-based copy (insecure origins, denied permission)
    }
  }
  const area = document.createElement("textarea");
  area.value = text;
  document.body.appendChild(area);
  area.select();
  document.execCommand("copy");
  area.remove();
}

/** The text of the sentence just before a citation marker (other markers left out). */
function sentenceBefore(anchor: HTMLElement): string {
  const block = anchor.closest("p, li, blockquote, td, th") ?? anchor.parentElement;
  if (!block) return "";
  let text = "";
  const walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (anchor.compareDocumentPosition(node) & Node.DOCUMENT_POSITION_FOLLOWING || anchor.contains(node)) break;
    if (!node.parentElement?.closest("button.cite")) text += node.textContent ?? "";
  }
  const sentences = text.split(/(?<=[.!?。！？])\s+/).map((s) => s.trim()).filter(Boolean);
  return sentences[sentences.length - 1] ?? "";
}

/** One assistant answer: thinking panel, Markdown with [n] citations, sources, and actions. */
export function AnswerView({ answer, onCite, onRetry, onAddToKb, onTimings, onModelPrompt, feedback }: Props) {
  const { t } = useI18n();
  const [copied, setCopied] = useState(false);
  const [showTimings, setShowTimings] = useState(false);
  const [prompt, setPrompt] = useState<ModelPrompt | null | "none" | undefined>(undefined);
  const [showPrompt, setShowPrompt] = useState(false);
  const split = splitThinking(answer.content, answer.status === "streaming");
  const thinking = [answer.thinking, split.thinking].filter(Boolean).join("\n\n");
  const thinkingLive = answer.status === "streaming" && (split.thinkingOpen || (!!answer.thinking && !split.answer));
  const streaming = answer.status === "streaming";
  const rateable = feedback !== undefined && !!answer.messageId && !streaming;
  const flagged = useMemo(() => flaggedCitations(split.answer, answer.unsupported), [split.answer, answer.unsupported]);

  const cite = (n: number, anchor: HTMLElement) => {
    const reference = answer.references[n - 1];
    if (reference) onCite(reference, n, sentenceBefore(anchor));
  };

  return (
    <div className="answer" data-testid="answer" data-status={answer.status}>
      {thinking && (
        <details className="thinking" open={thinkingLive}>
          <summary>
            <Brain size={14} /> {t("chat.thinking")}
          </summary>
          <div className="thinking-body">{thinking}</div>
        </details>
      )}
      {split.answer ? (
        <Markdown
          text={split.answer}
          citations
          flagged={flagged}
          flaggedTitle={t("chat.unsupportedCitation")}
          onCite={cite}
          className={streaming ? "streaming" : ""}
        />
      ) : (
        streaming && <div className="typing" aria-label="…"><span /><span /><span /></div>
      )}
      {answer.unsupported.length > 0 && !streaming && (
        <p className="warn small" data-testid="unsupported-note">
          ⚠ {t("chat.unsupportedNote", { n: answer.unsupported.length })}
        </p>
      )}
      {answer.status === "error" && <p className="error">{answer.error}</p>}
      {answer.status === "stopped" && <p className="muted small">{t("chat.stopped")}</p>}
      {answer.status === "interrupted" && (
        <p className="warn" data-testid="interrupted">
          {t("chat.interrupted")}{" "}
          <button type="button" onClick={onRetry} data-testid="retry">
            <RotateCcw size={14} /> {t("common.retry")}
          </button>
        </p>
      )}
      {answer.references.length > 0 && (
        <details className="sources">
          <summary>{t("chat.references", { n: answer.references.length })}</summary>
          <ol>
            {answer.references.map((ref, i) => (
              <li key={`${ref.id}-${i}`} className={answer.cited.includes(i + 1) ? "cited" : undefined}>
                <button type="button" className="link" onClick={() => onCite(ref, i + 1, "")}>
                  {ref.knowledge_title || ref.knowledge_filename || ref.knowledge_id}
                </button>
                {rateable && (
                  <FeedbackThumbs rating={feedback.ratingOf(i + 1)} onRate={(r) => feedback.rate(i + 1, r)} testId={`thumbs-${i + 1}`} />
                )}
              </li>
            ))}
          </ol>
        </details>
      )}
      {!streaming && (
        <div className="answer-actions">
          {rateable && <FeedbackThumbs rating={feedback.ratingOf(0)} onRate={(r) => feedback.rate(0, r)} testId="thumbs-answer" />}
          <button
            type="button"
            className="icon"
            title={t("chat.copy")}
            data-testid="copy"
            onClick={() =>
              void copyText(split.answer).then(() => {
                setCopied(true);
                window.setTimeout(() => setCopied(false), 1500);
              })
            }
          >
            {copied ? <Check size={14} /> : <Copy size={14} />} {copied ? t("chat.copied") : t("chat.copy")}
          </button>
          <button
            type="button"
            className="icon"
            data-testid="timings-toggle"
            onClick={() => {
              if (!showTimings && answer.timings.length === 0) void onTimings();
              setShowTimings(!showTimings);
            }}
          >
            <Clock size={14} /> {t("chat.timings")}
          </button>
          <button
            type="button"
            className="icon"
            aria-pressed={showPrompt}
            data-testid="model-saw-toggle"
            onClick={() => {
              if (!showPrompt && prompt === undefined) void onModelPrompt().then((p) => setPrompt(p ?? "none"), () => setPrompt("none"));
              setShowPrompt(!showPrompt);
            }}
          >
            <ScanEye size={14} /> {t("chat.modelSaw")}
          </button>
          {split.answer && (
            <button type="button" className="icon" data-testid="add-to-kb" onClick={() => onAddToKb(split.answer)}>
              <FilePlus2 size={14} /> {t("chat.addToKb")}
            </button>
          )}
          {(answer.status === "error" || answer.status === "stopped") && (
            <button type="button" className="icon" onClick={onRetry}>
              <RotateCcw size={14} /> {t("common.retry")}
            </button>
          )}
        </div>
      )}
      {showPrompt && prompt !== undefined && <ModelPromptView prompt={prompt === "none" ? null : prompt} />}
      {showTimings && (
        <table className="timings" data-testid="timings">
          <tbody>
            {answer.timings.map((timing) => (
              <tr key={timing.name}>
                <td>{timing.name}</td>
                <td className="num">{timing.skipped ? t("chat.skipped") : `${Math.round(timing.ms)} ms`}</td>
              </tr>
            ))}
            {answer.timings.length > 0 && (
              <tr className="total">
                <td />
                <td className="num">{Math.round(answer.timings.reduce((sum, x) => sum + (x.ms || 0), 0))} ms</td>
              </tr>
            )}
          </tbody>
        </table>
      )}
    </div>
  );
}

/** The prompt as the model received it: ⟦TYPE_n⟧ placeholders stand where personal data was masked. */
function ModelPromptView({ prompt }: { prompt: ModelPrompt | null }) {
  const { t } = useI18n();
  if (!prompt) return <p className="muted small" data-testid="model-saw">{t("chat.modelSawNone")}</p>;
  return (
    <div className="model-saw" data-testid="model-saw">
      <p className="small">{prompt.masked > 0 ? t("chat.modelSawMasked", { n: prompt.masked }) : t("chat.modelSawUnmasked")}</p>
      {prompt.messages.map((message, i) => (
        <div key={i} className="model-saw-message">
          <strong className="small">{message.role}</strong>
          <pre>{message.content}</pre>
        </div>
      ))}
    </div>
  );
}
