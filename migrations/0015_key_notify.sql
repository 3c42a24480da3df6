-- API keys are cached in each instance (src/resources/keys/cache.ts), so a key that changes
-- must be announced like any other change: revoking, changing or deleting one notifies
-- "key:<id>" on the change log's channel, which every instance's listener hears, and emptying
-- the table (TRUNCATE fires no row triggers) notifies "key:*". Keys are not resources and have
-- no change-log rows; the notification is all their cache needs.
CREATE FUNCTION kopij_notify_key() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('kopij_changes', 'key:' || OLD.id);
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER api_keys_notify AFTER UPDATE OR DELETE ON api_keys FOR EACH ROW EXECUTE FUNCTION kopij_notify_key();--> statement-breakpoint
CREATE FUNCTION kopij_notify_keys_emptied() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('kopij_changes', 'key:*');
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER api_keys_notify_truncate AFTER TRUNCATE ON api_keys FOR EACH STATEMENT EXECUTE FUNCTION kopij_notify_keys_emptied();
