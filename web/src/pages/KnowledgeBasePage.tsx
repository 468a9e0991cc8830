import { FilePenLine, MessagesSquare, Trash2 } from "lucide-react";
import { useCallback } from "react";
import { useApi } from "../api/context";
import { AccessListEditor } from "../components/AccessListEditor";
import { AuditTimeline } from "../components/AuditTimeline";
import { DocumentTable } from "../components/DocumentTable";
import { FieldSchemaEditor } from "../components/FieldSchemaEditor";
import { FieldStatusBadge } from "../components/FieldStatusBadge";
import { KnowledgeBaseSettings } from "../components/KnowledgeBaseSettings";
import { UploadZone } from "../components/UploadZone";
import { useI18n } from "../i18n";
import { navigate } from "../lib/router";
import { useLoad } from "../lib/useLoad";
import { useDocuments } from "../lib/useDocuments";

export function KnowledgeBasePage({ kbId, tab }: { kbId: string; tab: string }) {
  const { api } = useApi();
  const { t } = useI18n();
  const kb = useLoad(() => api.getKnowledgeBase(kbId), [api, kbId]);
  const docs = useDocuments(kbId);
  const loadAccess = useCallback(() => api.getBaseAccess(kbId), [api, kbId]);
  const saveAccess = useCallback((principals: string[]) => api.setBaseAccess(kbId, principals), [api, kbId]);
  const counts = useLoad(() => api.reviewCounts(kbId), [api, kbId, docs.items.map((d) => d.parse_status).join()]);

  const remove = async () => {
    if (!kb.data || !window.confirm(t("common.confirmDelete", { name: kb.data.name }))) return;
    await api.deleteKnowledgeBase(kbId);
    navigate("/kbs");
  };
  const chat = async () => {
    const session = await api.createSession({ knowledge_base_ids: [kbId] });
    navigate(`/chat/${session.id}`);
  };

  if (kb.error) return <p className="error page">{kb.error}</p>;
  if (!kb.data) return <p className="muted page">{t("common.loading")}</p>;
  return (
    <div className="page">
      <div className="row">
        <h1 className="grow">{kb.data.name}</h1>
        <button type="button" onClick={chat}>
          <MessagesSquare size={16} /> {t("kb.chat")}
        </button>
        <a className="button" href={`#/editor?kb=${kbId}`}>
          <FilePenLine size={16} /> {t("kb.newDoc")}
        </a>
        <button type="button" className="danger" onClick={remove}>
          <Trash2 size={16} />
        </button>
      </div>
      <p className="muted">{kb.data.description}</p>
      {counts.data && Object.values(counts.data).some((n) => n > 0) && (
        <div className="row review-counts" data-testid="review-counts">
          <strong>{t("kb.reviewCounts")}</strong>
          {(["needs_review", "rejected", "approved", "auto_approved"] as const).map((status) => (
            <a key={status} href={`#/review?kb=${kbId}`} data-testid={`review-count-${status}`} data-count={counts.data?.[status] ?? 0}>
              <FieldStatusBadge status={status} /> {counts.data?.[status] ?? 0}
            </a>
          ))}
        </div>
      )}
      <div className="tabs">
        <a className={tab === "documents" ? "tab active" : "tab"} href={`#/kbs/${kbId}`}>
          {t("kb.documents")}
        </a>
        <a className={tab === "fields" ? "tab active" : "tab"} href={`#/kbs/${kbId}/fields`} data-testid="kb-fields-tab">
          {t("kb.fields")}
        </a>
        <a className={tab === "settings" ? "tab active" : "tab"} href={`#/kbs/${kbId}/settings`} data-testid="kb-settings-tab">
          {t("kb.settings")}
        </a>
        <a className={tab === "activity" ? "tab active" : "tab"} href={`#/kbs/${kbId}/activity`} data-testid="kb-activity-tab">
          {t("kb.activity")}
        </a>
      </div>
      {tab === "activity" ? (
        <AuditTimeline filter={{ knowledge_base_id: kbId }} showEntity />
      ) : tab === "settings" ? (
        <>
          <KnowledgeBaseSettings kb={kb.data} onSaved={kb.setData} />
          <AccessListEditor load={loadAccess} save={saveAccess} testId="kb-access" />
        </>
      ) : tab === "fields" ? (
        <FieldSchemaEditor kbId={kbId} documents={docs.items} />
      ) : (
        <>
          <UploadZone kbId={kbId} onUploaded={docs.track} />
          <DocumentTable documents={docs} />
        </>
      )}
    </div>
  );
}
