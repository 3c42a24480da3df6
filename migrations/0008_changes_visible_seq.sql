-- The changes feed for partners and anonymous readers skips private entries (drafts'). With
-- (audience, seq) the planner walked the primary key and filtered, reading every draft's entry
-- in the way; an index over the entries that are not private serves both the public and the
-- embargo audience in log order.
DROP INDEX "changes_audience_seq";--> statement-breakpoint
CREATE INDEX "changes_visible_seq" ON "changes" USING btree ("seq") WHERE "changes"."audience" <> 'private';