DROP TABLE household_members;
DROP TABLE clients;
DROP TABLE households;
DROP FUNCTION name_grams(text);
