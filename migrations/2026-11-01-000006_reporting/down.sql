DROP INDEX reviews_pending_unit;
DROP INDEX cases_open_load;
