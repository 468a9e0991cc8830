import type { Chunk } from "../api/types";
import { useI18n } from "../i18n";
import { chunkImages, safeImageUrl } from "../lib/images";
import { Markdown } from "./Markdown";

/** One chunk as stored: Markdown (tables render as tables), then its images with caption and OCR text. */
export function ChunkView({ chunk, highlighted }: { chunk: Chunk; highlighted: boolean }) {
  const { t } = useI18n();
  const images = chunkImages(chunk);
  return (
    <article id={`chunk-${chunk.chunk_index}`} className={highlighted ? "chunk highlighted" : "chunk"} data-testid="chunk">
      <header className="chunk-head">
        <span className="badge">#{chunk.chunk_index}</span>
        <span className="badge subtle">{chunk.chunk_type}</span>
        {chunk.pages?.length > 0 && <small className="muted">{t("doc.page", { pages: chunk.pages.join(", ") })}</small>}
      </header>
      <Markdown text={chunk.content} />
      {images.map((image, i) => {
        const src = safeImageUrl(image.url);
        return (
          <figure key={i} className="chunk-image">
            {src && <img src={src} alt={image.caption ?? ""} loading="lazy" />}
            {image.caption && (
              <figcaption>
                <strong>{t("doc.caption")}:</strong> {image.caption}
              </figcaption>
            )}
            {image.ocr_text && (
              <div className="ocr">
                <strong>{t("doc.ocr")}:</strong>
                <pre>{image.ocr_text}</pre>
              </div>
            )}
          </figure>
        );
      })}
    </article>
  );
}
