import { Activity, BookOpen, BrainCircuit, ChartColumn, ClipboardCheck, FilePenLine, LogOut, MessagesSquare, Settings as SettingsIcon, Users, Webhook } from "lucide-react";
import type { ReactNode } from "react";
import { useApi } from "./api/context";
import { useI18n } from "./i18n";
import { useRoute } from "./lib/router";
import { ChatPage } from "./pages/ChatPage";
import { DocumentPage } from "./pages/DocumentPage";
import { EditorPage } from "./pages/EditorPage";
import { KnowledgeBasePage } from "./pages/KnowledgeBasePage";
import { KnowledgeBasesPage } from "./pages/KnowledgeBasesPage";
import { ModelsPage } from "./pages/ModelsPage";
import { MonitorPage } from "./pages/MonitorPage";
import { ReviewPage } from "./pages/ReviewPage";
import { ReviewQueuePage } from "./pages/ReviewQueuePage";
import { SettingsPage } from "./pages/SettingsPage";
import { WebhooksPage } from "./pages/WebhooksPage";
import { UsagePage } from "./pages/UsagePage";
import { AcceptInvitationPage } from "./pages/AcceptInvitationPage";
import { PasswordPage } from "./pages/PasswordPage";
import { PeoplePage } from "./pages/PeoplePage";
import { SignInPage } from "./pages/SignInPage";

export function App() {
  const { api, apiKey, session, setSession } = useApi();
  const { t, lang, setLang } = useI18n();
  const route = useRoute();
  const [section, id] = route.parts;

  if (section === "accept" && !apiKey && !session) return <AcceptInvitationPage token={route.query.get("token") ?? ""} />;
  if (!apiKey && session === undefined) return null; // asking the gateway whether this browser is signed in
  if (!apiKey && !session) return <SignInPage />;
  if (session?.user?.must_change_password) return <PasswordPage />;
  const signOut = async (everywhere: boolean) => {
    await (everywhere ? api.signOutEverywhere() : api.signOut()).catch(() => undefined);
    setSession(null);
  };

  let page: ReactNode;
  switch (section) {
    case "kbs":
      page = id ? <KnowledgeBasePage key={id} kbId={id} tab={route.parts[2] ?? "documents"} /> : <KnowledgeBasesPage />;
      break;
    case "docs":
      page = <DocumentPage key={id} knowledgeId={id} />;
      break;
    case "editor":
      page = <EditorPage key={`${id ?? "new"}-${route.query.get("kb") ?? ""}`} knowledgeId={id} kbId={route.query.get("kb") ?? ""} />;
      break;
    case "settings":
      page = <SettingsPage />;
      break;
    case "people":
      page = <PeoplePage tab={id ?? "users"} />;
      break;
    case "monitor":
      page = <MonitorPage />;
      break;
    case "webhooks":
      page = <WebhooksPage endpointId={id} />;
      break;
    case "usage":
      page = <UsagePage />;
      break;
    case "models":
      page = <ModelsPage />;
      break;
    case "review":
      page = id ? <ReviewPage key={id} knowledgeId={id} /> : <ReviewQueuePage kbId={route.query.get("kb") ?? ""} />;
      break;
    default:
      page = <ChatPage sessionId={section === "chat" ? id : undefined} />;
  }

  const link = (href: string, match: string[], icon: ReactNode, label: string) => (
    <a href={href} className={match.includes(section ?? "chat") ? "nav-link active" : "nav-link"} data-testid={`nav-${match[0]}`}>
      {icon}
      <span>{label}</span>
    </a>
  );

  return (
    <div className="shell">
      <nav className="topnav">
        <a className="brand" href="#/chat">
          지식 <small>jisik</small>
        </a>
        {link("#/chat", ["chat"], <MessagesSquare size={16} />, t("nav.chat"))}
        {link("#/kbs", ["kbs", "docs"], <BookOpen size={16} />, t("nav.kbs"))}
        {link("#/editor", ["editor"], <FilePenLine size={16} />, t("nav.editor"))}
        {link("#/review", ["review"], <ClipboardCheck size={16} />, t("nav.review"))}
        {link("#/monitor", ["monitor"], <Activity size={16} />, t("nav.monitor"))}
        {link("#/webhooks", ["webhooks"], <Webhook size={16} />, t("nav.webhooks"))}
        {link("#/usage", ["usage"], <ChartColumn size={16} />, t("nav.usage"))}
        {link("#/models", ["models"], <BrainCircuit size={16} />, t("nav.models"))}
        {link("#/people", ["people"], <Users size={16} />, t("nav.people"))}
        {link("#/settings", ["settings"], <SettingsIcon size={16} />, t("nav.settings"))}
        <span className="spacer" />
        {session?.user && (
          <span className="row small account">
            <span className="muted signed-in-as" data-testid="signed-in-as">{session.user.email}</span>
            <button type="button" className="ghost" onClick={() => void signOut(false)} data-testid="sign-out" title={t("nav.signOut")}>
              <LogOut size={16} />
            </button>
            <button type="button" className="ghost small" onClick={() => void signOut(true)} data-testid="sign-out-everywhere">
              {t("nav.signOutEverywhere")}
            </button>
          </span>
        )}
        <button type="button" className="ghost" onClick={() => setLang(lang === "ko" ? "en" : "ko")} data-testid="lang-switch">
          {t("lang.switch")}
        </button>
      </nav>
      <main className="content">{page}</main>
    </div>
  );
}
