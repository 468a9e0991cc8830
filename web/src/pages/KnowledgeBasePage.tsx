import { FilePenLine, MessagesSquare, Trash2 } from "lucide-react";
import { useApi } from "../api/context";
import { DocumentTable } from "../components/DocumentTable";
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
      <div className="tabs">
        <a className={tab === "documents" ? "tab active" : "tab"} href={`#/kbs/${kbId}`}>
          {t("kb.documents")}
        </a>
        <a className={tab === "settings" ? "tab active" : "tab"} href={`#/kbs/${kbId}/settings`} data-testid="kb-settings-tab">
          {t("kb.settings")}
        </a>
      </div>
      {tab === "settings" ? (
        <KnowledgeBaseSettings kb={kb.data} onSaved={kb.setData} />
      ) : (
        <>
          <UploadZone kbId={kbId} onUploaded={docs.track} />
          <DocumentTable documents={docs} />
        </>
      )}
    </div>
  );
}
