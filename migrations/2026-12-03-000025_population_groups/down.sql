DROP FUNCTION population_groups(text[], date, boolean, date);
