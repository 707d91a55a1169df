-- Sessions, the durable job queue and the mail outbox.
-- Instants are whole microseconds since the Unix epoch, set by the application's clock.

CREATE TABLE sessions (
    key         TEXT PRIMARY KEY,            -- SHA-256 of the cookie token, hex
    account_id  BLOB,
    data        TEXT NOT NULL,               -- JSON
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX sessions_by_account ON sessions (account_id);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);

CREATE TABLE jobs (
    id               BLOB PRIMARY KEY,
    kind             TEXT NOT NULL CHECK (kind <> ''),
    payload          TEXT NOT NULL,          -- JSON
    idempotency_key  TEXT NOT NULL UNIQUE,
    status           TEXT NOT NULL CHECK (status IN ('pending', 'running', 'done', 'dead')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    max_attempts     INTEGER NOT NULL CHECK (max_attempts > 0),
    run_at           INTEGER NOT NULL,
    locked_by        TEXT,
    locked_until     INTEGER,
    last_error       TEXT,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    finished_at      INTEGER
) STRICT;
CREATE INDEX jobs_due ON jobs (status, run_at);

CREATE TABLE mails (
    id          BLOB PRIMARY KEY,
    recipient   TEXT NOT NULL,
    subject     TEXT NOT NULL,
    text_body   TEXT NOT NULL,
    html_body   TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    sent_at     INTEGER,
    transport   TEXT
) STRICT;
CREATE INDEX mails_by_creation ON mails (created_at);
