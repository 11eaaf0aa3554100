-- An optional e-mail address per user, for the daily reminder digest.
ALTER TABLE users ADD COLUMN email TEXT;
