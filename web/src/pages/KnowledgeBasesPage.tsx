import { Plus } from "lucide-react";
import { useState, type FormEvent } from "react";
import { useApi } from "../api/context";
import { useI18n } from "../i18n";
import { navigate } from "../lib/router";
import { useLoad } from "../lib/useLoad";

export function KnowledgeBasesPage() {
  const { api } = useApi();
  const { t } = useI18n();
  const kbs = useLoad(() => api.listKnowledgeBases(), [api]);
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [error, setError] = useState("");

  const create = async (event: FormEvent) => {
    event.preventDefault();
    if (!name.trim()) return;
    try {
      const kb = await api.createKnowledgeBase({ name: name.trim(), description });
      navigate(`/kbs/${kb.id}`);
    } catch (e) {
      setError((e as Error).message);
    }
  };

  return (
    <div className="page">
      <h1>{t("nav.kbs")}</h1>
      <form className="card row wrap" onSubmit={create}>
        <input placeholder={t("kb.name")} value={name} onChange={(e) => setName(e.target.value)} data-testid="kb-name" />
        <input
          className="grow"
          placeholder={t("kb.description")}
          value={description}
          onChange={(e) => setDescription(e.target.value)}
        />
        <button type="submit" className="primary" data-testid="kb-create">
          <Plus size={16} /> {t("kb.new")}
        </button>
        {error && <p className="error full">{error}</p>}
      </form>
      {kbs.error && <p className="error">{kbs.error}</p>}
      {kbs.loading && <p className="muted">{t("common.loading")}</p>}
      {kbs.data?.length === 0 && <p className="muted">{t("common.empty")}</p>}
      <div className="grid">
        {kbs.data?.map((kb) => (
          <a key={kb.id} className="card kb-card" href={`#/kbs/${kb.id}`} data-testid="kb-card">
            <h3>{kb.name}</h3>
            <p className="muted">{kb.description}</p>
            <small className="muted">
              {t("kb.chunkSize")}: {kb.chunking_config?.chunk_size}
            </small>
          </a>
        ))}
      </div>
    </div>
  );
}
