// Holds how the app authenticates: the tenant API key (localStorage) or the browser's session (its cookie
// is HttpOnly; the app keeps the session's CSRF token), and the client that sends them.
import { createContext, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { API_PREFIX, ApiClient } from "./client";

const KEY_STORAGE = "jisik.apiKey";
// Set when a sign-in (single sign-on) started a browser session, so the app asks the gateway who it is;
// without it the app never calls /auth/me (an anonymous 401 would only be noise).
const SESSION_HINT = "jisik.session";

interface ApiState {
  api: ApiClient;
  apiKey: string;
  /** Signed in with a key or a browser session. */
  signedIn: boolean;
  /** Still asking the gateway about a browser session. */
  checking: boolean;
  setApiKey: (key: string) => void;
}

const ApiContext = createContext<ApiState | null>(null);

/** The session's CSRF token when the browser holds a session the gateway accepts, else "". */
async function browserSession(): Promise<string> {
  const landed = new URLSearchParams(window.location.search);
  if (landed.has("signed_in")) {
    localStorage.setItem(SESSION_HINT, "1");
    window.history.replaceState(null, "", window.location.pathname + window.location.hash);
  }
  if (!localStorage.getItem(SESSION_HINT)) return "";
  const response = await fetch(`${API_PREFIX}/auth/me`).catch(() => null);
  const me = response?.ok ? ((await response.json()) as { data?: { csrf_token?: string | null } }) : null;
  if (!me?.data?.csrf_token) localStorage.removeItem(SESSION_HINT);
  return me?.data?.csrf_token ?? "";
}

export function ApiProvider({ children }: { children: ReactNode }) {
  const [apiKey, setKey] = useState(() => localStorage.getItem(KEY_STORAGE) ?? "");
  const [csrf, setCsrf] = useState("");
  const [checking, setChecking] = useState(() => !localStorage.getItem(KEY_STORAGE));

  useEffect(() => {
    if (apiKey) return;
    let live = true;
    browserSession().then((token) => {
      if (!live) return;
      setCsrf(token);
      setChecking(false);
    });
    return () => {
      live = false;
    };
  }, [apiKey]);

  const value = useMemo<ApiState>(() => {
    const setApiKey = (key: string) => {
      if (key) localStorage.setItem(KEY_STORAGE, key);
      else localStorage.removeItem(KEY_STORAGE);
      if (!key) {
        if (csrf) void fetch(`${API_PREFIX}/auth/sign-out`, { method: "POST", headers: { "X-CSRF-Token": csrf } });
        localStorage.removeItem(SESSION_HINT);
        setCsrf("");
        sessionStorage.clear();
        if (window.location.hash) window.location.hash = "";
      }
      setKey(key);
    };
    // A new key means another tenant may be signed in: start from the home screen with nothing cached.
    const api = new ApiClient(() => apiKey, "", () => setApiKey(""), () => csrf);
    return { api, apiKey, signedIn: Boolean(apiKey || csrf), checking, setApiKey };
  }, [apiKey, csrf, checking]);
  return <ApiContext.Provider value={value}>{children}</ApiContext.Provider>;
}

export function useApi(): ApiState {
  const ctx = useContext(ApiContext);
  if (!ctx) throw new Error("useApi outside ApiProvider");
  return ctx;
}
