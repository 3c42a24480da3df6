-- A search without a language is parsed with every configuration and the results OR-ed. Most
-- words come out the same in many of them ('kabinet' | 'kabinet' | …), and the planner
-- estimates an OR of n copies of a lexeme as n times as common: a rare word looked common
-- enough to walk the date index instead of the GIN index. This keeps each distinct parse
-- once. IMMUTABLE, so with constant arguments it is folded into a constant at plan time and
-- the planner estimates the real query.
CREATE FUNCTION kopij_websearch_any(configs regconfig[], q text) RETURNS tsquery
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE STRICT AS $$
DECLARE
  parts text[] := '{}';
  part text;
  cfg regconfig;
BEGIN
  FOREACH cfg IN ARRAY configs LOOP
    part := websearch_to_tsquery(cfg, q)::text;
    IF part <> '' AND NOT part = ANY (parts) THEN
      parts := parts || part;
    END IF;
  END LOOP;
  RETURN array_to_string(array(SELECT '(' || p || ')' FROM unnest(parts) AS p), ' | ')::tsquery;
END
$$;
