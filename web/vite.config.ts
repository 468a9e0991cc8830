import { defineConfig } from "vitest/config";
import react from "@vitejs/plugin-react";

// The gateway serves dist/ at "/", so assets use absolute paths; the dev server proxies the API.
export default defineConfig({
  plugins: [react()],
  base: "/",
  build: { outDir: "dist", sourcemap: false, chunkSizeWarningLimit: 1500 },
  server: {
    proxy: { "/api": { target: process.env.JISIK_GATEWAY_URL ?? "http://127.0.0.1:8080", changeOrigin: true } },
  },
  test: { environment: "jsdom", include: ["src/**/*.test.{ts,tsx}"] },
});
