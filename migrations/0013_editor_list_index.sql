-- An editor's article list (every status, drafts first, then the newest published) had no
-- index in its order: PostgreSQL read and sorted the whole table for each page, 230-320 ms at
-- 100k articles, and an editor's relevance search collected its newest matches the same way
-- (530 ms). Read backwards, this index is that order (published_at desc nulls first, id
-- desc): 0.4 ms. Public lists keep (status, published_at, id).
CREATE INDEX "articles_published_id" ON "articles" USING btree ("published_at","id");
