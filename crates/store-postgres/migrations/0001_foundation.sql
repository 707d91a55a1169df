-- Sessions, the durable job queue and the mail outbox.
-- Instants are whole microseconds since the Unix epoch, set by the application's clock.

CREATE TABLE sessions (
    key         TEXT PRIMARY KEY,            -- SHA-256 of the cookie token, hex
    account_id  UUID,
    data        JSONB NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL
);
CREATE INDEX sessions_by_account ON sessions (account_id);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);

CREATE TABLE jobs (
    id               UUID PRIMARY KEY,
    kind             TEXT NOT NULL CHECK (kind <> ''),
    payload          JSONB NOT NULL,
    idempotency_key  TEXT NOT NULL UNIQUE,
    status           TEXT NOT NULL CHECK (status IN ('pending', 'running', 'done', 'dead')),
    attempts         BIGINT NOT NULL DEFAULT 0,
    max_attempts     BIGINT NOT NULL CHECK (max_attempts > 0),
    run_at           BIGINT NOT NULL,
    locked_by        TEXT,
    locked_until     BIGINT,
    last_error       TEXT,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    finished_at      BIGINT
);
CREATE INDEX jobs_due ON jobs (status, run_at);

CREATE TABLE mails (
    id          UUID PRIMARY KEY,
    recipient   TEXT NOT NULL,
    subject     TEXT NOT NULL,
    text_body   TEXT NOT NULL,
    html_body   TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    sent_at     BIGINT,
    transport   TEXT
);
CREATE INDEX mails_by_creation ON mails (created_at);
