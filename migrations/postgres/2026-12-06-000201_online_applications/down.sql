DROP TABLE submissions;
ALTER TABLE agencies DROP COLUMN accepts_online_applications;
