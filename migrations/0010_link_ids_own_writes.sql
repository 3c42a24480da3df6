-- The link-id triggers (0009) recompute an article's copies after every statement that
-- writes its links: about 0.17 ms of PostgreSQL time per article create (an A/B of the create
-- benchmark, 3.47 vs 3.64 ms of CPU per create), though the create statement writes the copies
-- and the links from the same two lists. That statement now says so for its own transaction;
-- every other writer of the link tables is still followed.
CREATE OR REPLACE FUNCTION kopij_sync_link_ids() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Kopij's create statement writes the copies from the same lists as the links
  -- (kopij.link_ids = 'written', local to its transaction): nothing to recompute.
  IF current_setting('kopij.link_ids', true) = 'written' THEN
    RETURN NULL;
  END IF;
  -- A statement that touched no link (an article created without places) has nothing to do.
  IF NOT EXISTS (SELECT FROM changed) THEN
    RETURN NULL;
  END IF;
  UPDATE articles a SET person_ids = x.person_ids, place_ids = x.place_ids
  FROM (SELECT c.article_id,
          coalesce((SELECT jsonb_agg(l.person_id ORDER BY l.position) FROM article_people l
            WHERE l.article_id = c.article_id), '[]'::jsonb) AS person_ids,
          coalesce((SELECT jsonb_agg(l.place_id ORDER BY l.position) FROM article_places l
            WHERE l.article_id = c.article_id), '[]'::jsonb) AS place_ids
        FROM (SELECT DISTINCT article_id FROM changed) c) x
  WHERE a.id = x.article_id AND (a.person_ids, a.place_ids) IS DISTINCT FROM (x.person_ids, x.place_ids);
  RETURN NULL;
END
$$;
