import { z } from 'zod';

/** Named schemas for the OpenAPI document's components (a local registry, not zod's global one). */
export const registry = z.registry<{ id?: string; [key: string]: unknown }>();
