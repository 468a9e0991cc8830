// A chunk's image_info arrives as a list or (WeKnora) a JSON string; normalise it.
import type { Chunk, ImageInfo } from "../api/types";

export function chunkImages(chunk: Pick<Chunk, "image_info">): ImageInfo[] {
  let raw: unknown = chunk.image_info;
  if (typeof raw === "string") {
    try {
      raw = raw ? JSON.parse(raw) : [];
    } catch {
      return [];
    }
  }
  if (Array.isArray(raw)) return raw.filter((x): x is ImageInfo => !!x && typeof x === "object");
  if (raw && typeof raw === "object") return [raw as ImageInfo];
  return [];
}

/** Only same-origin paths and http(s) URLs are shown as images (no javascript:, data: is fine for inline). */
export function safeImageUrl(url: string | undefined): string | null {
  if (!url) return null;
  if (url.startsWith("/") && !url.startsWith("//")) return url;
  if (/^https?:\/\//i.test(url) || /^data:image\/(png|jpeg|gif|webp);/i.test(url)) return url;
  return null;
}
