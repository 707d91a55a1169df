-- Prescriber accounts: identity, prescriber data and verification, workplaces, billing party,
-- licence periods, password-reset links and failed logins (throttling).
-- Dates (licence periods) are ISO text YYYY-MM-DD; instants microseconds as in 0001.

CREATE TABLE accounts (
    id                        UUID PRIMARY KEY,
    person_number             TEXT NOT NULL UNIQUE,          -- 12 digits
    given_name                TEXT NOT NULL,
    surname                   TEXT NOT NULL,
    email                     TEXT NOT NULL,
    mobile                    TEXT NOT NULL,
    password_hash             TEXT NOT NULL,
    profession                TEXT NOT NULL,
    prescriber_code           TEXT NOT NULL,
    verification              TEXT NOT NULL CHECK (verification IN ('pending', 'verified', 'manual_review', 'rejected')),
    verification_expected_by  BIGINT,
    verified_at               BIGINT,
    population_register_addon BOOLEAN NOT NULL,
    created_at                BIGINT NOT NULL,
    updated_at                BIGINT NOT NULL
);

CREATE TABLE workplaces (
    id              UUID PRIMARY KEY,
    account_id      UUID NOT NULL REFERENCES accounts (id),
    name            TEXT NOT NULL,
    code            TEXT NOT NULL,
    address         TEXT NOT NULL,
    postal_code     TEXT NOT NULL,
    city            TEXT NOT NULL,
    phone           TEXT NOT NULL,
    county_code     TEXT NOT NULL,
    journal_system  TEXT,
    active          BOOLEAN NOT NULL DEFAULT TRUE,
    created_at      BIGINT NOT NULL
);
CREATE INDEX workplaces_by_account ON workplaces (account_id);

CREATE TABLE billing_parties (
    account_id   UUID PRIMARY KEY REFERENCES accounts (id),
    kind         TEXT NOT NULL CHECK (kind IN ('private', 'own_company', 'employer')),
    name         TEXT NOT NULL,
    identity     TEXT NOT NULL,
    address      TEXT NOT NULL,
    postal_code  TEXT NOT NULL,
    city         TEXT NOT NULL,
    email        TEXT NOT NULL,
    reference    TEXT NOT NULL,
    updated_at   BIGINT NOT NULL
);

-- One row per licence period or change of licensing; the newest row is in force.
CREATE TABLE licences (
    id                 UUID PRIMARY KEY,
    account_id         UUID NOT NULL REFERENCES accounts (id),
    kind               TEXT NOT NULL CHECK (kind IN ('own', 'group', 'left_group')),
    starts_on          TEXT,
    ends_on            TEXT,
    payment_due_on     TEXT,
    paid_on            TEXT,
    web_login_allowed  BOOLEAN NOT NULL,
    created_at         BIGINT NOT NULL
);
CREATE INDEX licences_by_account ON licences (account_id, created_at);

CREATE TABLE password_resets (
    token_hash  TEXT PRIMARY KEY,                -- SHA-256 of the token in the link, hex
    account_id  UUID NOT NULL REFERENCES accounts (id),
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    used_at     BIGINT
);

CREATE TABLE login_failures (
    key  TEXT NOT NULL,                          -- "account:<id>" or "address:<ip>"
    at   BIGINT NOT NULL
);
CREATE INDEX login_failures_by_key ON login_failures (key, at);
