import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import { ApiProvider } from "./api/context";
import { I18nProvider } from "./i18n";
import "highlight.js/styles/github.css";
import "./styles.css";

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <I18nProvider>
      <ApiProvider>
        <App />
      </ApiProvider>
    </I18nProvider>
  </StrictMode>,
);
