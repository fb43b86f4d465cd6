DROP TRIGGER session_year_clients_delete ON session_month_clients;
DROP TRIGGER session_year_clients_insert ON session_month_clients;
DROP FUNCTION session_year_clients_remove();
DROP FUNCTION session_year_clients_add();
DROP FUNCTION month_bit(date);
DROP TABLE session_year_clients;
