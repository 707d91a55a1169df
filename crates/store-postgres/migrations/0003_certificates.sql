-- Certificates (intyg) from the head of the unit, required of AT-läkare and sjuksköterskor;
-- support approves or rejects them.
CREATE TABLE certificates (
    id            UUID PRIMARY KEY,
    account_id    UUID NOT NULL REFERENCES accounts (id),
    filename      TEXT NOT NULL,
    content_type  TEXT NOT NULL CHECK (content_type IN ('application/pdf', 'image/png', 'image/jpeg')),
    content       BYTEA NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('submitted', 'approved', 'rejected')),
    uploaded_at   BIGINT NOT NULL,
    decided_at    BIGINT
);
CREATE INDEX certificates_by_account ON certificates (account_id, uploaded_at);
