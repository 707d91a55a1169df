-- Certificates (intyg) from the head of the unit, required of AT-läkare and sjuksköterskor;
-- support approves or rejects them.
CREATE TABLE certificates (
    id            BLOB PRIMARY KEY,
    account_id    BLOB NOT NULL REFERENCES accounts (id),
    filename      TEXT NOT NULL,
    content_type  TEXT NOT NULL CHECK (content_type IN ('application/pdf', 'image/png', 'image/jpeg')),
    content       BLOB NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('submitted', 'approved', 'rejected')),
    uploaded_at   INTEGER NOT NULL,
    decided_at    INTEGER
) STRICT;
CREATE INDEX certificates_by_account ON certificates (account_id, uploaded_at);
