CREATE TABLE "pending_releases" (
	"article_id" uuid PRIMARY KEY NOT NULL,
	"release_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "pending_releases" ADD CONSTRAINT "pending_releases_article_id_articles_id_fk" FOREIGN KEY ("article_id") REFERENCES "public"."articles"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "pending_releases_due" ON "pending_releases" USING btree ("release_at");