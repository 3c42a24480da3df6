-- An article's people and places ids, in order, kept on its row: reading an article used to
-- look them up (two subqueries per row; on a 20-article page, 42 lookups and about 40% of
-- PostgreSQL's time for the page). The link tables stay what relations, filters and foreign
-- keys use. Kopij's own writes set the copies in the statement that writes the links; the
-- triggers below keep them equal to the link tables whoever writes those (imports, scripts,
-- psql): after each statement, every article whose links it touched gets its list recomputed,
-- written only where it differs.
ALTER TABLE "articles" ADD COLUMN "person_ids" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "articles" ADD COLUMN "place_ids" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
UPDATE articles a SET person_ids = x.ids
FROM (SELECT article_id, jsonb_agg(person_id ORDER BY position) AS ids FROM article_people GROUP BY article_id) x
WHERE a.id = x.article_id;--> statement-breakpoint
UPDATE articles a SET place_ids = x.ids
FROM (SELECT article_id, jsonb_agg(place_id ORDER BY position) AS ids FROM article_places GROUP BY article_id) x
WHERE a.id = x.article_id;--> statement-breakpoint
CREATE FUNCTION kopij_sync_link_ids() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
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
$$;--> statement-breakpoint
CREATE TRIGGER article_people_ids_insert AFTER INSERT ON article_people
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION kopij_sync_link_ids();--> statement-breakpoint
CREATE TRIGGER article_people_ids_update AFTER UPDATE ON article_people
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION kopij_sync_link_ids();--> statement-breakpoint
CREATE TRIGGER article_people_ids_delete AFTER DELETE ON article_people
  REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION kopij_sync_link_ids();--> statement-breakpoint
CREATE TRIGGER article_places_ids_insert AFTER INSERT ON article_places
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION kopij_sync_link_ids();--> statement-breakpoint
CREATE TRIGGER article_places_ids_update AFTER UPDATE ON article_places
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION kopij_sync_link_ids();--> statement-breakpoint
CREATE TRIGGER article_places_ids_delete AFTER DELETE ON article_places
  REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION kopij_sync_link_ids();
