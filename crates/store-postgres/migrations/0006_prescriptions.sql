-- Prescriptions: each account's draft of a new prescription, the items sent (one row per article,
-- several sent together share a batch) and each item's timeline. Dates are ISO text YYYY-MM-DD
-- as in 0002 (they sort as dates; the CHECK keeps it so); instants microseconds as in 0001.

-- One draft per account, kept between visits; a submit removes it.
CREATE TABLE prescription_drafts (
    account_id  UUID PRIMARY KEY REFERENCES accounts (id),
    document    JSONB NOT NULL,               -- shaped by the application
    updated_at  BIGINT NOT NULL
);

CREATE TABLE prescriptions (
    id                   UUID PRIMARY KEY,
    account_id           UUID NOT NULL REFERENCES accounts (id),
    -- A batch id is used once: sending the same draft twice is refused by UNIQUE (batch_id, position)
    -- and by the adapter's look-up of the batch.
    batch_id             UUID NOT NULL,
    position             BIGINT NOT NULL CHECK (position >= 0),
    patient_key          TEXT NOT NULL,       -- personnummer (12 digits) or name and birth date
    patient_name         TEXT NOT NULL,
    product_name         TEXT NOT NULL,
    -- Lower-cased copies (Rust's to_lowercase) for the history search, the same in both adapters
    -- and independent of the database's collation and ctype.
    patient_key_search   TEXT NOT NULL,
    patient_name_search  TEXT NOT NULL,
    product_search       TEXT NOT NULL,
    -- Byte order ("C"): dates compare as dates whatever the database's collation.
    issued_on            TEXT COLLATE "C" NOT NULL CHECK (issued_on ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
    idempotency_key      TEXT NOT NULL UNIQUE, -- sent to the national list with every attempt
    status               TEXT NOT NULL CHECK (status IN ('queued', 'sent', 'registered',
                             'registered_with_warnings', 'rejected', 'cancel_pending', 'cancelled')),
    national_id          TEXT,                -- the national list's id, once registered
    document             JSONB NOT NULL,      -- shaped by the application
    messages             JSONB NOT NULL,      -- the national service's last answer, null before any
    created_at           BIGINT NOT NULL,
    updated_at           BIGINT NOT NULL,
    UNIQUE (batch_id, position)
);
-- The history page: one account's items newest first, in exactly the order of the query, so
-- that a page is read off the index without sorting the account's whole history.
CREATE INDEX prescriptions_by_account
    ON prescriptions (account_id, created_at DESC, batch_id DESC, position);
-- Narrower searches of a long history: by status (what is still in transit: few rows, read in
-- page order too) and by issue date.
CREATE INDEX prescriptions_by_account_status
    ON prescriptions (account_id, status, created_at DESC, batch_id DESC, position);
CREATE INDEX prescriptions_by_account_issued
    ON prescriptions (account_id, issued_on);

-- Each item's timeline; rows are only ever added. The id comes from a sequence: for one item the
-- lines are written one after another (the item's row is locked by the change), so it orders
-- lines written at the same instant as they were written.
CREATE TABLE prescription_events (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    prescription_id  UUID NOT NULL REFERENCES prescriptions (id),
    at               BIGINT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('queued', 'sent', 'registered',
                         'registered_with_warnings', 'rejected', 'cancel_pending', 'cancelled')),
    text             TEXT NOT NULL
);
CREATE INDEX prescription_events_by_item ON prescription_events (prescription_id, at, id);
