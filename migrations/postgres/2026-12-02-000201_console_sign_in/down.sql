DROP INDEX sessions_user;
DROP TABLE sessions;
DROP INDEX users_login;
ALTER TABLE users DROP COLUMN password_hash;
ALTER TABLE users DROP COLUMN login;
