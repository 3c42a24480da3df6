-- Every entry in the change log notifies 'kopij_changes' with "<type>:<id>". NOTIFY is
-- transactional: listeners hear it exactly when the writing transaction commits, never for
-- one that rolls back, so in-process response caches can be invalidated by the change log
-- itself, whatever code path wrote it.
CREATE FUNCTION kopij_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('kopij_changes', NEW.resource_type || ':' || NEW.resource_id);
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER changes_notify AFTER INSERT ON changes FOR EACH ROW EXECUTE FUNCTION kopij_notify_change();
