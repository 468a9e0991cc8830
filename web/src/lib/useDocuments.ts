// A knowledge base's documents, polled while any of them is still moving through ingest.
import { useCallback, useEffect, useRef, useState } from "react";
import { useApi } from "../api/context";
import type { ErasureReceipt, Knowledge } from "../api/types";
import { isTerminal } from "./stages";

export const POLL_MS = 1500;

export interface Documents {
  items: Knowledge[];
  error: string;
  loading: boolean;
  track: (doc: Knowledge) => void;
  remove: (id: string) => Promise<void>;
  /** Erase now, with its index entries, images and the chat turns citing it; the receipt says what went. */
  erase: (id: string) => Promise<ErasureReceipt>;
  reprocess: (id: string) => Promise<void>;
}

export function useDocuments(kbId: string): Documents {
  const { api } = useApi();
  const [items, setItems] = useState<Knowledge[]>([]);
  const [error, setError] = useState("");
  const [loading, setLoading] = useState(true);
  // Documents uploaded from this page: a list that was read before an upload finished must not drop them.
  const uploaded = useRef(new Set<string>());

  const refresh = useCallback(async () => {
    try {
      const page = await api.listKnowledge(kbId);
      const listed = new Set(page.items.map((d) => d.id));
      setItems((current) => [...current.filter((d) => uploaded.current.has(d.id) && !listed.has(d.id)), ...page.items]);
      setError("");
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setLoading(false);
    }
  }, [api, kbId]);

  useEffect(() => {
    uploaded.current.clear();
    void refresh();
  }, [refresh]);

  const moving = items.filter((d) => !isTerminal(d.parse_status)).map((d) => d.id);
  const movingKey = moving.join(",");
  useEffect(() => {
    if (!movingKey) return;
    const timer = window.setInterval(async () => {
      try {
        const fresh = await api.batchKnowledge(movingKey.split(","));
        const byId = new Map(fresh.map((d) => [d.id, d]));
        setItems((current) => current.map((d) => byId.get(d.id) ?? d));
      } catch (e) {
        setError((e as Error).message);
      }
    }, POLL_MS);
    return () => window.clearInterval(timer);
  }, [api, movingKey]);

  const track = useCallback((doc: Knowledge) => {
    uploaded.current.add(doc.id);
    setItems((current) => [doc, ...current.filter((d) => d.id !== doc.id)]);
  }, []);
  const remove = useCallback(
    async (id: string) => {
      await api.deleteKnowledge(id);
      uploaded.current.delete(id);
      setItems((current) => current.filter((d) => d.id !== id));
    },
    [api],
  );
  const erase = useCallback(
    async (id: string) => {
      const receipt = await api.eraseKnowledge(id);
      uploaded.current.delete(id);
      setItems((current) => current.filter((d) => d.id !== id));
      return receipt;
    },
    [api],
  );
  const reprocess = useCallback(
    async (id: string) => {
      const doc = await api.reprocessKnowledge(id);
      setItems((current) => current.map((d) => (d.id === id ? { ...d, ...doc, parse_status: doc?.parse_status ?? "pending" } : d)));
    },
    [api],
  );
  return { items, error, loading, track, remove, erase, reprocess };
}
