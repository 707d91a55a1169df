-- Every look at or change of a patient's data: who, when, which patient, what (SPEC §3, §9).
-- Rows are only ever added.
CREATE TABLE audit_log (
    id          BLOB PRIMARY KEY,
    at          INTEGER NOT NULL,
    account_id  BLOB NOT NULL REFERENCES accounts (id),
    patient     TEXT NOT NULL,                -- personnummer (12 digits) or another patient key
    action      TEXT NOT NULL CHECK (action <> ''),
    detail      TEXT NOT NULL
) STRICT;
CREATE INDEX audit_by_account ON audit_log (account_id, at);
CREATE INDEX audit_by_patient ON audit_log (patient, at);
