-- Login throttling by account and address, and by address alone, with backoff: a row per key
-- (`<account>@<address>` or `@<address>`, see `services::auth`), and how many times the key has
-- been locked, each lock twice as long as the one before. No key locks an account for everyone.
ALTER TABLE login_throttles RENAME COLUMN username_key TO throttle_key;
ALTER TABLE login_throttles ADD COLUMN locks integer NOT NULL DEFAULT 0;
-- The old per-account rows would lock accounts for every address: they go.
DELETE FROM login_throttles;
-- Housekeeping finds the rows idle for a day.
CREATE INDEX login_throttles_idle ON login_throttles (window_start);
