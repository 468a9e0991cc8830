import { act, renderHook, waitFor } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import type { Knowledge } from "../api/types";
import { useDocuments } from "./useDocuments";

const listed: { resolve: (docs: Knowledge[]) => void }[] = [];
const api = {
  listKnowledge: vi.fn(() => new Promise((resolve) => listed.push({ resolve: (items: Knowledge[]) => resolve({ items }) }))),
  batchKnowledge: vi.fn(async () => []),
};
vi.mock("../api/context", () => ({ useApi: () => ({ api }) }));

const doc = (id: string, parse_status = "pending") => ({ id, parse_status }) as unknown as Knowledge;

describe("useDocuments", () => {
  it("keeps a document uploaded while the first list was still on its way", async () => {
    const { result } = renderHook(() => useDocuments("kb1"));
    await waitFor(() => expect(listed).toHaveLength(1));
    act(() => result.current.track(doc("new")));
    // The list was read before the upload committed: it does not have the new document.
    await act(async () => listed[0].resolve([doc("old", "completed")]));
    expect(result.current.items.map((d) => d.id)).toEqual(["new", "old"]);
  });
});
