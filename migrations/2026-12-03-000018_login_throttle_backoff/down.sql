DROP INDEX login_throttles_idle;
DELETE FROM login_throttles;
ALTER TABLE login_throttles DROP COLUMN locks;
ALTER TABLE login_throttles RENAME COLUMN throttle_key TO username_key;
