-- "People served" over whole months counts distinct clients, which per-month rows give only by
-- reading one row per client and month: a county-year is some 80,000 rows. Per unit and year,
-- this table holds each client of individual sessions once, with the months they had any (bit 0
-- = January): the same question reads one row per client. Triggers on `session_month_clients`
-- keep it, in the same transaction as the sessions behind them.
CREATE TABLE session_year_clients (
    org_unit_id uuid    NOT NULL REFERENCES org_units (id),
    year        integer NOT NULL,
    client_id   uuid    NOT NULL,
    months      integer NOT NULL CHECK (months > 0 AND months < 4096),
    -- Covering: the statistics read a unit's clients of a year from the index alone.
    PRIMARY KEY (org_unit_id, year, client_id) INCLUDE (months)
);

-- The bit of a month's first day.
CREATE FUNCTION month_bit(month date) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT 1 << (extract(month FROM month)::integer - 1) $$;

CREATE FUNCTION session_year_clients_add() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO session_year_clients AS t (org_unit_id, year, client_id, months)
    SELECT org_unit_id, extract(year FROM month)::integer, client_id, bit_or(month_bit(month))
    FROM new_rows GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT (org_unit_id, year, client_id) DO UPDATE SET months = t.months | EXCLUDED.months;
    RETURN NULL;
END
$$;

-- A month dropped (its last session moved or deleted) clears its bit; a client left with no
-- month goes.
CREATE FUNCTION session_year_clients_remove() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE session_year_clients t SET months = t.months & ~d.months
    FROM (SELECT org_unit_id, extract(year FROM month)::integer AS year, client_id, bit_or(month_bit(month)) AS months
          FROM old_rows GROUP BY 1, 2, 3) d
    WHERE t.org_unit_id = d.org_unit_id AND t.year = d.year AND t.client_id = d.client_id AND t.months & ~d.months > 0;
    DELETE FROM session_year_clients t
    USING (SELECT DISTINCT org_unit_id, extract(year FROM month)::integer AS year, client_id FROM old_rows) d
    WHERE t.org_unit_id = d.org_unit_id AND t.year = d.year AND t.client_id = d.client_id
      AND NOT EXISTS (SELECT 1 FROM session_month_clients m
                      WHERE m.org_unit_id = t.org_unit_id AND m.client_id = t.client_id
                        AND m.month >= make_date(t.year, 1, 1) AND m.month < make_date(t.year + 1, 1, 1));
    RETURN NULL;
END
$$;

CREATE TRIGGER session_year_clients_insert AFTER INSERT ON session_month_clients
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION session_year_clients_add();
CREATE TRIGGER session_year_clients_delete AFTER DELETE ON session_month_clients
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION session_year_clients_remove();

INSERT INTO session_year_clients (org_unit_id, year, client_id, months)
SELECT org_unit_id, extract(year FROM month)::integer, client_id, bit_or(month_bit(month))
FROM session_month_clients GROUP BY 1, 2, 3;
