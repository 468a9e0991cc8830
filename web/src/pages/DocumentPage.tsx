import { ArrowLeft, Download, FilePenLine } from "lucide-react";
import { useCallback, useEffect } from "react";
import { useApi } from "../api/context";
import { AccessListEditor } from "../components/AccessListEditor";
import { AuditTimeline } from "../components/AuditTimeline";
import { ChunkView } from "../components/ChunkView";
import { FieldsPanel } from "../components/FieldsPanel";
import { StageProgress, StatusBadge } from "../components/StatusBadge";
import { useI18n } from "../i18n";
import { useRoute } from "../lib/router";
import { useLoad } from "../lib/useLoad";

export function DocumentPage({ knowledgeId }: { knowledgeId: string }) {
  const { api } = useApi();
  const { t, lang } = useI18n();
  const route = useRoute();
  const highlight = route.query.get("chunk");
  const doc = useLoad(() => api.getKnowledge(knowledgeId), [api, knowledgeId]);
  const chunks = useLoad(() => api.listAllChunks(knowledgeId), [api, knowledgeId]);
  const loadAccess = useCallback(() => api.getDocumentAccess(knowledgeId), [api, knowledgeId]);
  const saveAccess = useCallback((principals: string[]) => api.setDocumentAccess(knowledgeId, principals), [api, knowledgeId]);

  useEffect(() => {
    if (highlight && chunks.data) document.getElementById(`chunk-${highlight}`)?.scrollIntoView({ block: "center" });
  }, [highlight, chunks.data]);

  if (doc.error) return <p className="error page">{doc.error}</p>;
  if (!doc.data) return <p className="muted page">{t("common.loading")}</p>;
  const d = doc.data;
  return (
    <div className="page">
      <a href={`#/kbs/${d.knowledge_base_id}`} className="muted back">
        <ArrowLeft size={14} /> {t("nav.kbs")}
      </a>
      <div className="row">
        <h1 className="grow">{d.title || d.file_name}</h1>
        {d.type === "manual" ? (
          <a className="button" href={`#/editor/${d.id}`}>
            <FilePenLine size={16} /> {t("doc.edit")}
          </a>
        ) : (
          <a className="button" href={api.downloadUrl(d.id)} target="_blank" rel="noreferrer">
            <Download size={16} /> {t("doc.download")}
          </a>
        )}
      </div>
      <div className="row meta">
        <StatusBadge status={d.parse_status} />
        <StageProgress status={d.parse_status} />
        <small className="muted">
          {t("doc.pages")}: {d.page_count} · {t("doc.chunks")}: {d.chunk_count} · {t("doc.updated")}:{" "}
          {new Date(d.updated_at).toLocaleString(lang)}
        </small>
      </div>
      {d.error_message && <p className="error">{d.error_message}</p>}
      <FieldsPanel knowledgeId={d.id} />
      <AccessListEditor load={loadAccess} save={saveAccess} testId="doc-access" />
      <AuditTimeline filter={{ document_id: d.id }} showEntity />
      {chunks.error && <p className="error">{chunks.error}</p>}
      {chunks.data?.length === 0 && <p className="muted">{t("doc.noChunks")}</p>}
      <div className="chunks">
        {chunks.data?.map((chunk) => (
          <ChunkView key={chunk.id} chunk={chunk} highlighted={highlight === String(chunk.chunk_index)} />
        ))}
      </div>
    </div>
  );
}
