// The app's view types (./types.ts) against the gateway's generated types (./openapi.ts): every field a
// view type declares must exist on the gateway's response, and the view must accept every kind of value
// (string, number, array, ...) the gateway sends there. A field the gateway drops, renames or retypes
// fails `npm run build` here, naming the field.
import type * as Api from "./openapi";
import type * as View from "./types";

type Kind<T> = T extends string
  ? "string"
  : T extends number
    ? "number"
    : T extends boolean
      ? "boolean"
      : T extends null | undefined
        ? never
        : T extends readonly unknown[]
          ? "array"
          : "object";

type Missing<G, V> = Exclude<keyof V, keyof G>;
type Retyped<G, V> = {
  [K in keyof V & keyof G]: [Kind<G[K]>] extends [never] ? never : Kind<G[K]> extends Kind<V[K]> ? never : K;
}[keyof V & keyof G];

/** `true` when the gateway's `G` has every field of the view type `V`; otherwise the offending fields. */
export type Covers<G, V> = [Missing<G, V>, Retyped<G, V>] extends [never, never]
  ? true
  : { missing: Missing<G, V>; retyped: Retyped<G, V> };

export const contract: {
  knowledgeBase: Covers<Api.KnowledgeBasePublic, View.KnowledgeBase>;
  knowledge: Covers<Api.KnowledgePublic, View.Knowledge>;
  chunk: Covers<Api.ChunkPublic, View.Chunk>;
  session: Covers<Api.SessionPublic, View.ChatSession>;
  message: Covers<Api.MessagePublic, View.Message>;
  model: Covers<Api.ModelPublic, View.RegisteredModel>;
  tenant: Covers<Api.TenantPublic, View.Tenant>;
  rotatedTenant: Covers<Api.TenantCreated, View.RotatedTenant>;
  documentFields: Covers<Api.DocumentFieldsPublic, View.DocumentFields>;
  fieldSchema: Covers<Api.FieldSchemaPublic, View.FieldSchema>;
  reviewQueueItem: Covers<Api.ReviewQueueItem, View.ReviewQueueItem>;
} = {
  knowledgeBase: true,
  knowledge: true,
  chunk: true,
  session: true,
  message: true,
  model: true,
  tenant: true,
  rotatedTenant: true,
  documentFields: true,
  fieldSchema: true,
  reviewQueueItem: true,
};
