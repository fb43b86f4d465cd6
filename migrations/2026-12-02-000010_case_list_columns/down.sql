DROP TRIGGER reviews_pending_to_case ON reviews;
DROP FUNCTION reviews_pending_to_case();
DROP TRIGGER users_name_to_cases ON users;
DROP FUNCTION users_name_to_cases();
DROP TRIGGER clients_name_to_cases ON clients;
DROP FUNCTION clients_name_to_cases();
DROP TRIGGER cases_take_names ON cases;
DROP FUNCTION cases_take_names();
ALTER TABLE cases DROP COLUMN has_pending_review, DROP COLUMN worker_name, DROP COLUMN client_name;
