import { useMemo, type MouseEvent } from "react";
import { renderMarkdown } from "../lib/markdown";

interface Props {
  text: string;
  citations?: boolean;
  onCite?: (n: number, anchor: HTMLElement) => void;
  className?: string;
}

/** Sanitized Markdown; with `citations`, [n] markers call onCite. */
export function Markdown({ text, citations, onCite, className }: Props) {
  const html = useMemo(() => renderMarkdown(text, { citations }), [text, citations]);
  const onClick = (event: MouseEvent<HTMLDivElement>) => {
    const target = (event.target as HTMLElement).closest<HTMLElement>("[data-cite]");
    if (target && onCite) onCite(Number(target.dataset.cite), target);
  };
  return <div className={`markdown ${className ?? ""}`} onClick={onClick} dangerouslySetInnerHTML={{ __html: html }} />;
}
