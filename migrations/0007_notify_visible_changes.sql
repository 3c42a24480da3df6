-- A resource created where only editors can see it (a new draft, a quote on one) cannot be in
-- any response cache: the caches keep anonymous 200s only, and the resource did not exist
-- before. Its change is logged as always, but no longer notified, so a burst of new drafts
-- does not drop every cached list and feed on every instance. Every other change still
-- notifies, whatever its audience: a published article put back under embargo is a change
-- with a non-public audience that the caches must hear.
CREATE OR REPLACE FUNCTION kopij_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.action = 'created' AND NEW.audience = 'private' THEN
    RETURN NULL;
  END IF;
  PERFORM pg_notify('kopij_changes', NEW.resource_type || ':' || NEW.resource_id);
  RETURN NULL;
END
$$;
