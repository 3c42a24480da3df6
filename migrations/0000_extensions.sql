-- Extensions and text search configurations that later migrations and queries rely on.
-- unaccent() is only STABLE, so accent folding lives in per-language configurations,
-- which stay usable in stored generated columns and GIN indexes.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
--> statement-breakpoint
CREATE EXTENSION IF NOT EXISTS unaccent;
--> statement-breakpoint
CREATE TEXT SEARCH CONFIGURATION kopij_dutch (COPY = pg_catalog.dutch);
--> statement-breakpoint
ALTER TEXT SEARCH CONFIGURATION kopij_dutch ALTER MAPPING FOR hword, hword_part, word, asciiword, asciihword, hword_asciipart WITH unaccent, dutch_stem;
--> statement-breakpoint
CREATE TEXT SEARCH CONFIGURATION kopij_english (COPY = pg_catalog.english);
--> statement-breakpoint
ALTER TEXT SEARCH CONFIGURATION kopij_english ALTER MAPPING FOR hword, hword_part, word, asciiword, asciihword, hword_asciipart WITH unaccent, english_stem;
--> statement-breakpoint
CREATE TEXT SEARCH CONFIGURATION kopij_german (COPY = pg_catalog.german);
--> statement-breakpoint
ALTER TEXT SEARCH CONFIGURATION kopij_german ALTER MAPPING FOR hword, hword_part, word, asciiword, asciihword, hword_asciipart WITH unaccent, german_stem;
--> statement-breakpoint
CREATE TEXT SEARCH CONFIGURATION kopij_french (COPY = pg_catalog.french);
--> statement-breakpoint
ALTER TEXT SEARCH CONFIGURATION kopij_french ALTER MAPPING FOR hword, hword_part, word, asciiword, asciihword, hword_asciipart WITH unaccent, french_stem;
--> statement-breakpoint
CREATE TEXT SEARCH CONFIGURATION kopij_spanish (COPY = pg_catalog.spanish);
--> statement-breakpoint
ALTER TEXT SEARCH CONFIGURATION kopij_spanish ALTER MAPPING FOR hword, hword_part, word, asciiword, asciihword, hword_asciipart WITH unaccent, spanish_stem;
--> statement-breakpoint
CREATE TEXT SEARCH CONFIGURATION kopij_italian (COPY = pg_catalog.italian);
--> statement-breakpoint
ALTER TEXT SEARCH CONFIGURATION kopij_italian ALTER MAPPING FOR hword, hword_part, word, asciiword, asciihword, hword_asciipart WITH unaccent, italian_stem;
--> statement-breakpoint
CREATE TEXT SEARCH CONFIGURATION kopij_portuguese (COPY = pg_catalog.portuguese);
--> statement-breakpoint
ALTER TEXT SEARCH CONFIGURATION kopij_portuguese ALTER MAPPING FOR hword, hword_part, word, asciiword, asciihword, hword_asciipart WITH unaccent, portuguese_stem;
--> statement-breakpoint
CREATE TEXT SEARCH CONFIGURATION kopij_swedish (COPY = pg_catalog.swedish);
--> statement-breakpoint
ALTER TEXT SEARCH CONFIGURATION kopij_swedish ALTER MAPPING FOR hword, hword_part, word, asciiword, asciihword, hword_asciipart WITH unaccent, swedish_stem;
--> statement-breakpoint
CREATE TEXT SEARCH CONFIGURATION kopij_danish (COPY = pg_catalog.danish);
--> statement-breakpoint
ALTER TEXT SEARCH CONFIGURATION kopij_danish ALTER MAPPING FOR hword, hword_part, word, asciiword, asciihword, hword_asciipart WITH unaccent, danish_stem;
--> statement-breakpoint
CREATE TEXT SEARCH CONFIGURATION kopij_norwegian (COPY = pg_catalog.norwegian);
--> statement-breakpoint
ALTER TEXT SEARCH CONFIGURATION kopij_norwegian ALTER MAPPING FOR hword, hword_part, word, asciiword, asciihword, hword_asciipart WITH unaccent, norwegian_stem;
--> statement-breakpoint
CREATE TEXT SEARCH CONFIGURATION kopij_finnish (COPY = pg_catalog.finnish);
--> statement-breakpoint
ALTER TEXT SEARCH CONFIGURATION kopij_finnish ALTER MAPPING FOR hword, hword_part, word, asciiword, asciihword, hword_asciipart WITH unaccent, finnish_stem;
--> statement-breakpoint
CREATE TEXT SEARCH CONFIGURATION kopij_russian (COPY = pg_catalog.russian);
--> statement-breakpoint
ALTER TEXT SEARCH CONFIGURATION kopij_russian ALTER MAPPING FOR hword, hword_part, word, asciiword, asciihword, hword_asciipart WITH unaccent, russian_stem;
--> statement-breakpoint
CREATE TEXT SEARCH CONFIGURATION kopij_simple (COPY = pg_catalog.simple);
--> statement-breakpoint
ALTER TEXT SEARCH CONFIGURATION kopij_simple ALTER MAPPING FOR hword, hword_part, word, asciiword, asciihword, hword_asciipart WITH unaccent, simple;
--> statement-breakpoint
-- Maps a BCP 47 language tag to its configuration. IMMUTABLE is a promise we keep: the
-- configurations above are never altered in place (a change is a new migration).
CREATE FUNCTION kopij_ts_config(lang text) RETURNS regconfig
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE split_part(lower(lang), '-', 1)
    WHEN 'nl' THEN 'kopij_dutch'::regconfig
    WHEN 'en' THEN 'kopij_english'::regconfig
    WHEN 'de' THEN 'kopij_german'::regconfig
    WHEN 'fr' THEN 'kopij_french'::regconfig
    WHEN 'es' THEN 'kopij_spanish'::regconfig
    WHEN 'it' THEN 'kopij_italian'::regconfig
    WHEN 'pt' THEN 'kopij_portuguese'::regconfig
    WHEN 'sv' THEN 'kopij_swedish'::regconfig
    WHEN 'da' THEN 'kopij_danish'::regconfig
    WHEN 'no' THEN 'kopij_norwegian'::regconfig
    WHEN 'nb' THEN 'kopij_norwegian'::regconfig
    WHEN 'nn' THEN 'kopij_norwegian'::regconfig
    WHEN 'fi' THEN 'kopij_finnish'::regconfig
    WHEN 'ru' THEN 'kopij_russian'::regconfig
    ELSE 'kopij_simple'::regconfig
  END
$$;
