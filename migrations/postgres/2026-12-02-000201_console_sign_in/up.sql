-- Sign-in for the staff console: a unique sign-in name and an Argon2id password hash (PHC string)
-- per user, and the sessions of signed-in browsers. Only the SHA-256 of a session's cookie value
-- is stored, so the table cannot be used to take over a session.
ALTER TABLE users ADD COLUMN login TEXT;
ALTER TABLE users ADD COLUMN password_hash TEXT;
CREATE UNIQUE INDEX users_login ON users (login);

CREATE TABLE sessions (
    id BIGSERIAL PRIMARY KEY,
    -- SHA-256 (hex) of the cookie value.
    token_hash TEXT NOT NULL UNIQUE,
    user_id BIGINT NOT NULL REFERENCES users (id),
    -- The token every state-changing form of this session carries (cross-site request forgery).
    csrf_token TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
