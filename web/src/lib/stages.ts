// The ingest stages a document passes through, for progress bars.
import type { ParseStatus } from "../api/types";

export const STAGES: ParseStatus[] = ["pending", "parsing", "validating", "embedding", "indexing", "completed"];

export function isTerminal(status: ParseStatus): boolean {
  return status === "completed" || status === "failed" || status === "draft";
}

/** Fraction of the pipeline done, 0..1 (a failed document reports where it stopped is unknown: 1). */
export function stageProgress(status: ParseStatus): number {
  if (status === "completed" || status === "failed") return 1;
  const index = STAGES.indexOf(status);
  return index < 0 ? 0 : index / (STAGES.length - 1);
}
