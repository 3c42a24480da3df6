import { z } from 'zod';

/**
 * Where the OpenAPI document finds what it says of a schema: zod's global registry, which
 * `.meta()` writes descriptions and examples into, so they reach the document (a registry of
 * our own held only the component ids, and every field and parameter went undocumented).
 */
export const registry = z.globalRegistry;

/** Names a schema as a component of the document, keeping the description it already has. */
export function component<T extends z.ZodType>(schema: T, id: string): T {
  registry.add(schema, { ...registry.get(schema), id });
  return schema;
}
