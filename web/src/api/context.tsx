// Holds the tenant API key (localStorage) and the client that sends it.
import { createContext, useContext, useMemo, useState, type ReactNode } from "react";
import { ApiClient } from "./client";

const KEY_STORAGE = "jisik.apiKey";

interface ApiState {
  api: ApiClient;
  apiKey: string;
  setApiKey: (key: string) => void;
}

const ApiContext = createContext<ApiState | null>(null);

export function ApiProvider({ children }: { children: ReactNode }) {
  const [apiKey, setKey] = useState(() => localStorage.getItem(KEY_STORAGE) ?? "");
  const value = useMemo<ApiState>(() => {
    const setApiKey = (key: string) => {
      if (key) localStorage.setItem(KEY_STORAGE, key);
      else localStorage.removeItem(KEY_STORAGE);
      if (!key) {
        sessionStorage.clear();
        if (window.location.hash) window.location.hash = "";
      }
      setKey(key);
    };
    // A new key means another tenant may be signed in: start from the home screen with nothing cached.
    return { api: new ApiClient(() => apiKey, "", () => setApiKey("")), apiKey, setApiKey };
  }, [apiKey]);
  return <ApiContext.Provider value={value}>{children}</ApiContext.Provider>;
}

export function useApi(): ApiState {
  const ctx = useContext(ApiContext);
  if (!ctx) throw new Error("useApi outside ApiProvider");
  return ctx;
}
