import { useMemo, type MouseEvent } from "react";
import { renderMarkdown } from "../lib/markdown";

interface Props {
  text: string;
  citations?: boolean;
  /** Citation markers (0-based, in order) whose passage does not support their sentence. */
  flagged?: ReadonlySet<number>;
  flaggedTitle?: string;
  onCite?: (n: number, anchor: HTMLElement) => void;
  className?: string;
}

/** Sanitized Markdown; with `citations`, [n] markers call onCite. */
export function Markdown({ text, citations, flagged, flaggedTitle, onCite, className }: Props) {
  const html = useMemo(
    () => renderMarkdown(text, { citations, flagged, flaggedTitle }),
    [text, citations, flagged, flaggedTitle],
  );
  const onClick = (event: MouseEvent<HTMLDivElement>) => {
    const target = (event.target as HTMLElement).closest<HTMLElement>("[data-cite]");
    if (target && onCite) onCite(Number(target.dataset.cite), target);
  };
  return <div className={`markdown ${className ?? ""}`} onClick={onClick} dangerouslySetInnerHTML={{ __html: html }} />;
}
