CREATE TABLE "api_keys" (
	"id" uuid PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"prefix" text NOT NULL,
	"hash" text NOT NULL,
	"scopes" jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"revoked_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "article_people" (
	"article_id" uuid NOT NULL,
	"person_id" uuid NOT NULL,
	"position" integer NOT NULL,
	CONSTRAINT "article_people_article_id_person_id_pk" PRIMARY KEY("article_id","person_id")
);
--> statement-breakpoint
CREATE TABLE "article_places" (
	"article_id" uuid NOT NULL,
	"place_id" uuid NOT NULL,
	"position" integer NOT NULL,
	CONSTRAINT "article_places_article_id_place_id_pk" PRIMARY KEY("article_id","place_id")
);
--> statement-breakpoint
CREATE TABLE "articles" (
	"id" uuid PRIMARY KEY NOT NULL,
	"slug" text NOT NULL,
	"language" text NOT NULL,
	"headline" text NOT NULL,
	"standfirst" text,
	"body" jsonb NOT NULL,
	"byline" text,
	"credit" text,
	"tags" jsonb NOT NULL,
	"canonical_url" text,
	"status" text NOT NULL,
	"published_at" timestamp with time zone,
	"first_published_at" timestamp with time zone,
	"embargoed_until" timestamp with time zone,
	"search" "tsvector" GENERATED ALWAYS AS (
  setweight(to_tsvector(kopij_ts_config(language), headline), 'A') ||
  setweight(to_tsvector(kopij_ts_config(language), coalesce(standfirst, '')), 'B') ||
  setweight(jsonb_to_tsvector(kopij_ts_config(language), jsonb_path_query_array(body, '$[*].text'), '["string"]'), 'C') ||
  setweight(jsonb_to_tsvector(kopij_ts_config(language), tags, '["string"]'), 'B')) STORED,
	"version" integer NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "changes" (
	"seq" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "changes_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"resource_type" text NOT NULL,
	"resource_id" uuid NOT NULL,
	"action" text NOT NULL,
	"version" integer NOT NULL,
	"audience" text NOT NULL,
	"at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "people" (
	"id" uuid PRIMARY KEY NOT NULL,
	"slug" text NOT NULL,
	"name" text NOT NULL,
	"aliases" jsonb NOT NULL,
	"description" text,
	"wikidata_id" text,
	"search_names" text NOT NULL,
	"version" integer NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "places" (
	"id" uuid PRIMARY KEY NOT NULL,
	"slug" text NOT NULL,
	"name" text NOT NULL,
	"aliases" jsonb NOT NULL,
	"kind" text NOT NULL,
	"country_code" text,
	"lat" double precision,
	"lon" double precision,
	"parent_id" uuid,
	"geonames_id" text,
	"wikidata_id" text,
	"search_names" text NOT NULL,
	"version" integer NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "quotes" (
	"id" uuid PRIMARY KEY NOT NULL,
	"text" text NOT NULL,
	"language" text NOT NULL,
	"person_id" uuid NOT NULL,
	"article_id" uuid,
	"place_id" uuid,
	"said_at" text,
	"context" text,
	"search" "tsvector" GENERATED ALWAYS AS (to_tsvector(kopij_ts_config(language), text) || to_tsvector(kopij_ts_config(language), coalesce(context, ''))) STORED,
	"version" integer NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "revisions" (
	"resource_type" text NOT NULL,
	"resource_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"action" text NOT NULL,
	"data" jsonb NOT NULL,
	"changed_by" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "revisions_resource_type_resource_id_version_pk" PRIMARY KEY("resource_type","resource_id","version")
);
--> statement-breakpoint
CREATE TABLE "settings" (
	"key" text PRIMARY KEY NOT NULL,
	"value" text NOT NULL
);
--> statement-breakpoint
ALTER TABLE "article_people" ADD CONSTRAINT "article_people_article_id_articles_id_fk" FOREIGN KEY ("article_id") REFERENCES "public"."articles"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "article_people" ADD CONSTRAINT "article_people_person_id_people_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."people"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "article_places" ADD CONSTRAINT "article_places_article_id_articles_id_fk" FOREIGN KEY ("article_id") REFERENCES "public"."articles"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "article_places" ADD CONSTRAINT "article_places_place_id_places_id_fk" FOREIGN KEY ("place_id") REFERENCES "public"."places"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "places" ADD CONSTRAINT "places_parent_id_places_id_fk" FOREIGN KEY ("parent_id") REFERENCES "public"."places"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "quotes" ADD CONSTRAINT "quotes_person_id_people_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."people"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "quotes" ADD CONSTRAINT "quotes_article_id_articles_id_fk" FOREIGN KEY ("article_id") REFERENCES "public"."articles"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "quotes" ADD CONSTRAINT "quotes_place_id_places_id_fk" FOREIGN KEY ("place_id") REFERENCES "public"."places"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "api_keys_hash_key" ON "api_keys" USING btree ("hash");--> statement-breakpoint
CREATE INDEX "article_people_person" ON "article_people" USING btree ("person_id");--> statement-breakpoint
CREATE INDEX "article_places_place" ON "article_places" USING btree ("place_id");--> statement-breakpoint
CREATE UNIQUE INDEX "articles_slug_key" ON "articles" USING btree ("slug");--> statement-breakpoint
CREATE INDEX "articles_search" ON "articles" USING gin ("search");--> statement-breakpoint
CREATE INDEX "articles_tags" ON "articles" USING gin ("tags");--> statement-breakpoint
CREATE INDEX "articles_status_published_id" ON "articles" USING btree ("status","published_at","id");--> statement-breakpoint
CREATE INDEX "articles_updated_id" ON "articles" USING btree ("updated_at","id");--> statement-breakpoint
CREATE INDEX "articles_language_published_id" ON "articles" USING btree ("language","published_at","id");--> statement-breakpoint
CREATE INDEX "changes_audience_seq" ON "changes" USING btree ("audience","seq");--> statement-breakpoint
CREATE INDEX "changes_resource" ON "changes" USING btree ("resource_id");--> statement-breakpoint
CREATE UNIQUE INDEX "people_slug_key" ON "people" USING btree ("slug");--> statement-breakpoint
CREATE INDEX "people_search_names_trgm" ON "people" USING gin ("search_names" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "people_name_id" ON "people" USING btree ("name","id");--> statement-breakpoint
CREATE INDEX "people_updated_id" ON "people" USING btree ("updated_at","id");--> statement-breakpoint
CREATE UNIQUE INDEX "places_slug_key" ON "places" USING btree ("slug");--> statement-breakpoint
CREATE INDEX "places_parent_id" ON "places" USING btree ("parent_id");--> statement-breakpoint
CREATE INDEX "places_search_names_trgm" ON "places" USING gin ("search_names" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "places_name_id" ON "places" USING btree ("name","id");--> statement-breakpoint
CREATE INDEX "places_updated_id" ON "places" USING btree ("updated_at","id");--> statement-breakpoint
CREATE INDEX "quotes_person_created_id" ON "quotes" USING btree ("person_id","created_at","id");--> statement-breakpoint
CREATE INDEX "quotes_article_id" ON "quotes" USING btree ("article_id");--> statement-breakpoint
CREATE INDEX "quotes_place_id" ON "quotes" USING btree ("place_id");--> statement-breakpoint
CREATE INDEX "quotes_created_id" ON "quotes" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "quotes_updated_id" ON "quotes" USING btree ("updated_at","id");--> statement-breakpoint
CREATE INDEX "quotes_search" ON "quotes" USING gin ("search");