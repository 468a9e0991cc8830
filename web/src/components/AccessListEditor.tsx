import { Lock, Plus, Save, X } from "lucide-react";
import { useEffect, useState } from "react";
import { useI18n } from "../i18n";

export interface AccessState {
  principals: string[];
  /** The list that applies while this one is empty (a document's knowledge base's list). */
  inherited?: string[];
  may_manage: boolean;
}

type Kind = "user" | "group";

/** Who may read a knowledge base's or a document's contents: users (user:<id>) and groups (group:<name>). */
export function AccessListEditor({
  load,
  save,
  testId,
}: {
  load: () => Promise<AccessState>;
  save: (principals: string[]) => Promise<AccessState>;
  testId: string;
}) {
  const { t } = useI18n();
  const [state, setState] = useState<AccessState | null>(null);
  const [draft, setDraft] = useState<string[]>([]);
  const [kind, setKind] = useState<Kind>("group");
  const [name, setName] = useState("");
  const [notice, setNotice] = useState("");

  useEffect(() => {
    load().then(
      (loaded) => {
        setState(loaded);
        setDraft(loaded.principals);
      },
      (e: Error) => setNotice(t("error.generic", { reason: e.message })),
    );
  }, [load, t]);

  if (!state) return notice ? <p className="error">{notice}</p> : null;
  const add = () => {
    const entry = `${kind}:${name.trim()}`;
    if (name.trim() && !draft.includes(entry)) setDraft([...draft, entry]);
    setName("");
  };
  const store = async () => {
    try {
      const saved = await save(draft);
      setState(saved);
      setDraft(saved.principals);
      setNotice(t("access.saved"));
    } catch (e) {
      setNotice(t("error.generic", { reason: (e as Error).message }));
    }
  };
  const fallback =
    state.inherited === undefined
      ? t("access.emptyEveryone")
      : state.inherited.length
        ? t("access.emptyInherited", { list: state.inherited.join(", ") })
        : t("access.emptyEveryone");

  return (
    <section className="card form" data-testid={testId}>
      <h3>
        <Lock size={16} /> {t("access.title")}
      </h3>
      <p className="muted">{t("access.help")}</p>
      <ul className="chips" data-testid={`${testId}-list`}>
        {draft.map((entry) => (
          <li key={entry} className="chip" data-principal={entry}>
            {entry.startsWith("group:") ? t("access.group") : t("access.user")} <strong>{entry.slice(entry.indexOf(":") + 1)}</strong>
            {state.may_manage && (
              <button type="button" className="icon" aria-label={t("access.remove")} onClick={() => setDraft(draft.filter((x) => x !== entry))}>
                <X size={12} />
              </button>
            )}
          </li>
        ))}
      </ul>
      {!draft.length && <p className="muted" data-testid={`${testId}-empty`}>{fallback}</p>}
      {state.may_manage ? (
        <>
          <div className="row">
            <select value={kind} onChange={(e) => setKind(e.target.value as Kind)} data-testid={`${testId}-kind`}>
              <option value="group">{t("access.group")}</option>
              <option value="user">{t("access.user")}</option>
            </select>
            <input
              className="grow"
              value={name}
              placeholder={kind === "group" ? t("access.groupPlaceholder") : t("access.userPlaceholder")}
              onChange={(e) => setName(e.target.value)}
              onKeyDown={(e) => e.key === "Enter" && add()}
              data-testid={`${testId}-name`}
            />
            <button type="button" onClick={add} data-testid={`${testId}-add`}>
              <Plus size={16} /> {t("access.add")}
            </button>
          </div>
          <div>
            <button type="button" className="primary" onClick={() => void store()} data-testid={`${testId}-save`}>
              <Save size={16} /> {t("access.save")}
            </button>
          </div>
        </>
      ) : (
        <p className="muted">{t("access.readOnly")}</p>
      )}
      {notice && (
        <p className="notice" data-testid={`${testId}-notice`}>
          {notice}
        </p>
      )}
    </section>
  );
}
