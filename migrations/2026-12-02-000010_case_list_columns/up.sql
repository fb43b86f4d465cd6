-- What a case list shows besides the case's own columns: the client's and the worker's names,
-- and whether a review is pending. Looked up per row, they cost a list more than everything else
-- it reads (two more index lookups and a subquery for each of its 50 rows); kept on the case,
-- a page is its rows and nothing more. Triggers keep them in the same transaction as every
-- change they depend on, whoever writes it.
ALTER TABLE cases
    ADD COLUMN client_name        text,
    ADD COLUMN worker_name        text,
    ADD COLUMN has_pending_review boolean NOT NULL DEFAULT false;

UPDATE cases k
SET client_name = c.name,
    worker_name = w.display_name,
    has_pending_review = EXISTS (SELECT 1 FROM reviews r WHERE r.case_id = k.id AND r.status = 'pending')
FROM clients c, users w
WHERE c.id = k.client_id AND w.id = k.worker_id;

ALTER TABLE cases ALTER COLUMN client_name SET NOT NULL, ALTER COLUMN worker_name SET NOT NULL;

-- A new case, or one given to another client or worker, takes their names.
CREATE FUNCTION cases_take_names() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' OR NEW.client_id IS DISTINCT FROM OLD.client_id THEN
        NEW.client_name := (SELECT name FROM clients WHERE id = NEW.client_id);
    END IF;
    IF TG_OP = 'INSERT' OR NEW.worker_id IS DISTINCT FROM OLD.worker_id THEN
        NEW.worker_name := (SELECT display_name FROM users WHERE id = NEW.worker_id);
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER cases_take_names BEFORE INSERT OR UPDATE OF client_id, worker_id ON cases
    FOR EACH ROW EXECUTE FUNCTION cases_take_names();

-- A renamed client or worker is renamed on their cases.
CREATE FUNCTION clients_name_to_cases() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE cases SET client_name = NEW.name WHERE client_id = NEW.id;
    RETURN NULL;
END
$$;
CREATE TRIGGER clients_name_to_cases AFTER UPDATE OF name ON clients
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION clients_name_to_cases();

CREATE FUNCTION users_name_to_cases() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE cases SET worker_name = NEW.display_name WHERE worker_id = NEW.id;
    RETURN NULL;
END
$$;
CREATE TRIGGER users_name_to_cases AFTER UPDATE OF display_name ON users
    FOR EACH ROW WHEN (OLD.display_name IS DISTINCT FROM NEW.display_name) EXECUTE FUNCTION users_name_to_cases();

-- A review requested, decided, moved or removed sets its case's flag from the reviews that are
-- pending now (the services lock the case before they touch its reviews).
CREATE FUNCTION reviews_pending_to_case() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    affected uuid[] := CASE TG_OP
        WHEN 'INSERT' THEN ARRAY[NEW.case_id]
        WHEN 'DELETE' THEN ARRAY[OLD.case_id]
        ELSE ARRAY[OLD.case_id, NEW.case_id]
    END;
BEGIN
    UPDATE cases k
    SET has_pending_review = p.pending
    FROM (SELECT c.id, EXISTS (SELECT 1 FROM reviews r WHERE r.case_id = c.id AND r.status = 'pending') AS pending
          FROM cases c WHERE c.id = ANY (affected)) p
    WHERE k.id = p.id AND k.has_pending_review IS DISTINCT FROM p.pending;
    RETURN NULL;
END
$$;
CREATE TRIGGER reviews_pending_to_case AFTER INSERT OR DELETE OR UPDATE OF status, case_id ON reviews
    FOR EACH ROW EXECUTE FUNCTION reviews_pending_to_case();
