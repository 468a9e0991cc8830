// Client-side checks before an upload, so a bad file is explained per file without a round trip.

export const SUPPORTED_EXTENSIONS = [
  "pdf", "docx", "xlsx", "xls", "pptx", "hwp", "hwpx", "txt", "md", "markdown", "csv", "html", "htm", "json",
  "png", "jpg", "jpeg", "gif", "bmp", "tiff", "webp",
] as const;

export const DEFAULT_MAX_UPLOAD_MB = 100;

export type UploadRejection =
  | { reason: "unsupported"; extension: string }
  | { reason: "too_large"; size: number; limit: number }
  | { reason: "empty" };

export function extensionOf(name: string): string {
  const dot = name.lastIndexOf(".");
  return dot <= 0 ? "" : name.slice(dot + 1).toLowerCase();
}

/** Why a file cannot be uploaded, or null when it may go. */
export function checkFile(file: { name: string; size: number }, maxMb = DEFAULT_MAX_UPLOAD_MB): UploadRejection | null {
  const extension = extensionOf(file.name);
  if (!(SUPPORTED_EXTENSIONS as readonly string[]).includes(extension)) return { reason: "unsupported", extension };
  if (file.size === 0) return { reason: "empty" };
  const limit = maxMb * 1024 * 1024;
  if (file.size > limit) return { reason: "too_large", size: file.size, limit };
  return null;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KB", "MB", "GB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}
