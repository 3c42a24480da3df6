-- Slugs are unique through these indexes, and a new slug is the base or base-2 … base-32 (an
-- index lookup each). When all 32 are taken (a recurring headline: a daily liveblog, the
-- weather), src/content/slug.ts lists every `base-%` slug to find the first free number. Under
-- a linguistic collation no default btree serves that LIKE, and under C.UTF-8 the planner read
-- the whole index instead (100k rows, 20-105 ms per create at 100k articles, growing with the
-- archive). text_pattern_ops compares bytes, so `LIKE 'base-%'` becomes an index range in any
-- collation; equality (reads by slug, uniqueness) works on it as before, and nothing sorts by
-- slug. Dropping an index locks its table: reads and writes of the three tables wait until the
-- migration commits (the rebuild: about 0.3 s per 100k rows), on a streaming replica too.
DROP INDEX "articles_slug_key";--> statement-breakpoint
DROP INDEX "people_slug_key";--> statement-breakpoint
DROP INDEX "places_slug_key";--> statement-breakpoint
CREATE UNIQUE INDEX "articles_slug_key" ON "articles" USING btree ("slug" text_pattern_ops);--> statement-breakpoint
CREATE UNIQUE INDEX "people_slug_key" ON "people" USING btree ("slug" text_pattern_ops);--> statement-breakpoint
CREATE UNIQUE INDEX "places_slug_key" ON "places" USING btree ("slug" text_pattern_ops);