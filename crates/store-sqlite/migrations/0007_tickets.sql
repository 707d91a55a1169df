-- Tickets registered through "Registrera ett ärende hos support" (SPEC §2.4); support answers
-- them by e-mail. The number is what the visitor is given and quotes.
CREATE TABLE tickets (
    number           INTEGER PRIMARY KEY AUTOINCREMENT,
    id               BLOB NOT NULL UNIQUE,
    account_id       BLOB REFERENCES accounts (id),   -- when a logged-in prescriber wrote it
    name             TEXT NOT NULL CHECK (name <> ''),
    email            TEXT NOT NULL CHECK (email <> ''),
    phone            TEXT NOT NULL,
    subject          TEXT NOT NULL CHECK (subject <> ''),
    description      TEXT NOT NULL CHECK (description <> ''),
    attachment_name  TEXT,
    attachment_type  TEXT CHECK (attachment_type IN ('application/pdf', 'image/png', 'image/jpeg')),
    attachment       BLOB,
    status           TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'answered', 'closed')),
    created_at       INTEGER NOT NULL,
    CHECK ((attachment IS NULL) = (attachment_type IS NULL))
) STRICT;
