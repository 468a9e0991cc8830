// Holds how the browser is signed in: a tenant API key (localStorage) or a password session (an HttpOnly
// cookie the browser keeps; its CSRF token lives in memory and is fetched again from /auth/session on reload, also after a single sign-on).
import { createContext, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { ApiClient } from "./client";
import type { Me } from "./openapi";

const KEY_STORAGE = "jisik.apiKey";

interface ApiState {
  api: ApiClient;
  apiKey: string;
  setApiKey: (key: string) => void;
  /** The signed-in user's session (null: none; undefined: still asking the gateway). */
  session: Me | null | undefined;
  setSession: (me: Me | null) => void;
}

const ApiContext = createContext<ApiState | null>(null);

function forgetPage(): void {
  sessionStorage.clear();
  if (window.location.hash && !window.location.hash.startsWith("#/accept")) window.location.hash = "";
}

export function ApiProvider({ children }: { children: ReactNode }) {
  const [apiKey, setKey] = useState(() => localStorage.getItem(KEY_STORAGE) ?? "");
  const [session, setSessionState] = useState<Me | null | undefined>(apiKey ? null : undefined);
  const value = useMemo<ApiState>(() => {
    const setApiKey = (key: string) => {
      if (key) localStorage.setItem(KEY_STORAGE, key);
      else localStorage.removeItem(KEY_STORAGE);
      if (!key) forgetPage();
      setKey(key);
    };
    const setSession = (me: Me | null) => {
      if (!me) forgetPage();
      setSessionState(me);
    };
    // A new key or session means another tenant may be signed in: start from the home screen, nothing cached.
    const unauthorized = () => (apiKey ? setApiKey("") : setSession(null));
    const api = new ApiClient(() => apiKey, "", unauthorized, () => session?.csrf_token ?? "");
    return { api, apiKey, setApiKey, session, setSession };
  }, [apiKey, session]);

  useEffect(() => {
    const landed = new URLSearchParams(window.location.search);
    if (landed.has("signed_in")) window.history.replaceState(null, "", window.location.pathname + window.location.hash);
    if (apiKey || session !== undefined) return;
    new ApiClient(() => "")
      .session()
      .then((me) => setSessionState(me))
      .catch(() => setSessionState(null));
  }, [apiKey, session]);

  return <ApiContext.Provider value={value}>{children}</ApiContext.Provider>;
}

export function useApi(): ApiState {
  const ctx = useContext(ApiContext);
  if (!ctx) throw new Error("useApi outside ApiProvider");
  return ctx;
}
