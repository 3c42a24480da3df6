-- Public tag lists walked the (status, published_at, id) index for a tag that only drafts
-- carry (an editor's working tag): PostgreSQL estimated `tags @> …` over all articles, drafts
-- included, expected the page within a few hundred published rows, and read all of them
-- (0.2-0.7 s at 100k articles) to return an empty page. The public filter now compares this
-- expression instead: ANALYZE keeps statistics of an index expression, here over published
-- articles' tags only, so such a tag is estimated to match nothing public and is looked up in
-- this index (no rows, well under a millisecond). Common tags keep their walk in date order.
-- Writes to articles wait until the migration commits: the index build and the ANALYZE below
-- (about 0.25 s and 1.5 s per 100k articles here).
CREATE INDEX "articles_published_tags" ON "articles" USING gin ((case when "status" = 'published' then "tags" end));--> statement-breakpoint
-- The expression's statistics exist only after an ANALYZE; autovacuum's would come only
-- after enough rows changed.
ANALYZE "articles";
