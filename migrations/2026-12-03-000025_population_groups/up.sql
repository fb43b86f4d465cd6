-- Population groups (REPORTING.md §2): `domain::population::groups`, as SQL, so that the
-- statistics count people per group where the rows are. `tests/api/rules.rs` holds the two
-- equal. Age in completed years on `on_day`, as `domain::client_rules::age_on` counts it (age()
-- completes a year born on 29 February on 1 March in common years, like the Rust rule).
--
-- One expression with no FROM, and every function in it immutable (the dates are cast to
-- `timestamp`: `date` to `timestamptz` would depend on the time zone), so that PostgreSQL inlines
-- it into the calling query: called as a function instead, it cost 3 µs a row, inlined 0.5 µs
-- (100,000 clients: 305 ms against 77 ms).
CREATE FUNCTION population_groups(categories text[], birth_date date, has_disability boolean, on_day date)
RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(nullif(array_remove(ARRAY[
        CASE WHEN extract(year FROM age(on_day::timestamp, birth_date::timestamp)) >= 60 THEN 'elderly' END,
        CASE WHEN extract(year FROM age(on_day::timestamp, birth_date::timestamp)) < 18 THEN 'minor' END,
        CASE WHEN has_disability OR categories && ARRAY['disabled', 'severe_disabled', 'disabled_elder'] THEN 'disabled' END,
        CASE WHEN categories && ARRAY['dibao', 'dibao_edge', 'tekun'] THEN 'basic_protection' END,
        CASE WHEN categories && ARRAY['orphan', 'de_facto_uncared_child', 'distressed_child', 'left_behind_child']
             THEN 'children_in_difficulty' END
    ], NULL), '{}'), ARRAY['other'])
$$;
