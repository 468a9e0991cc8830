import { Upload } from "lucide-react";
import { useRef, useState, type DragEvent } from "react";
import { useApi } from "../api/context";
import type { Knowledge } from "../api/types";
import { useI18n, type T } from "../i18n";
import { checkFile, DEFAULT_MAX_UPLOAD_MB, formatBytes, type UploadRejection } from "../lib/upload";

interface Item {
  key: string;
  name: string;
  size: number;
  state: "rejected" | "uploading" | "done" | "failed";
  message: string;
  pct: number;
}

export function rejectionText(t: T, rejection: UploadRejection): string {
  switch (rejection.reason) {
    case "unsupported":
      return rejection.extension ? t("upload.unsupported", { ext: rejection.extension }) : t("upload.noExtension");
    case "too_large":
      return t("upload.tooLarge", { size: formatBytes(rejection.size), limit: formatBytes(rejection.limit) });
    case "empty":
      return t("upload.empty");
  }
}

/** Drag-and-drop (or pick) many files; each file gets its own row with progress or the reason it failed. */
export function UploadZone({ kbId, onUploaded, maxMb = DEFAULT_MAX_UPLOAD_MB }: { kbId: string; onUploaded: (doc: Knowledge) => void; maxMb?: number }) {
  const { api } = useApi();
  const { t } = useI18n();
  const [items, setItems] = useState<Item[]>([]);
  const [over, setOver] = useState(false);
  const input = useRef<HTMLInputElement>(null);

  const update = (key: string, patch: Partial<Item>) =>
    setItems((current) => current.map((item) => (item.key === key ? { ...item, ...patch } : item)));

  const accept = (files: FileList | File[]) => {
    const list = Array.from(files);
    const fresh: Item[] = list.map((file, i) => {
      const rejection = checkFile(file, maxMb);
      return {
        key: `${Date.now()}-${i}-${file.name}`,
        name: file.name,
        size: file.size,
        state: rejection ? "rejected" : "uploading",
        message: rejection ? rejectionText(t, rejection) : "",
        pct: 0,
      };
    });
    setItems((current) => [...fresh, ...current].slice(0, 50));
    list.forEach((file, i) => {
      const item = fresh[i];
      if (item.state === "rejected") return;
      api
        .uploadFile(kbId, file, (p) => update(item.key, { pct: Math.round((p.loaded / Math.max(p.total, 1)) * 100) }))
        .then((doc) => {
          update(item.key, { state: "done", pct: 100 });
          onUploaded(doc);
        })
        .catch((e: Error) => update(item.key, { state: "failed", message: t("upload.failed", { reason: e.message }) }));
    });
  };

  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setOver(false);
    if (event.dataTransfer.files.length) accept(event.dataTransfer.files);
  };

  return (
    <div className="upload">
      <div
        className={over ? "dropzone over" : "dropzone"}
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={onDrop}
        onClick={() => input.current?.click()}
        role="button"
        tabIndex={0}
        data-testid="dropzone"
      >
        <Upload size={22} />
        <strong>{t("upload.drop")}</strong>
        <small className="muted">{t("upload.hint", { mb: maxMb })}</small>
        <input
          ref={input}
          type="file"
          multiple
          hidden
          data-testid="file-input"
          onChange={(e) => {
            if (e.target.files) accept(e.target.files);
            e.target.value = "";
          }}
        />
      </div>
      {items.some((i) => i.state !== "done") && (
        <ul className="upload-list">
          {items
            .filter((i) => i.state !== "done")
            .map((item) => (
              <li key={item.key} className={`upload-item ${item.state}`} data-testid="upload-item" data-state={item.state}>
                <span className="grow">{item.name}</span>
                <small className="muted">{formatBytes(item.size)}</small>
                {item.state === "uploading" ? (
                  <span className="pct">{t("upload.uploading", { pct: item.pct })}</span>
                ) : (
                  <span className="error" data-testid="upload-error">
                    {item.message}
                  </span>
                )}
              </li>
            ))}
        </ul>
      )}
    </div>
  );
}
