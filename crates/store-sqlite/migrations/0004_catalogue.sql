-- The drug register (NPL products with packages and prices) and the regions' REK lists.
-- A product is a JSON document keyed by NPL-id; it is never deleted (old prescriptions point at
-- it), only marked withdrawn inside the document.
CREATE TABLE catalogue_products (
    npl_id      TEXT PRIMARY KEY,
    document    TEXT NOT NULL,
    updated_at  INTEGER NOT NULL
) STRICT;

CREATE TABLE rek_lists (
    region_code  TEXT PRIMARY KEY,
    csv          TEXT NOT NULL,                -- the region's rows in the documented REK format
    updated_at   INTEGER NOT NULL
) STRICT;

-- Grows with every change, so that each server knows when to rebuild its search index.
CREATE TABLE catalogue_version (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    version  INTEGER NOT NULL
) STRICT;
INSERT INTO catalogue_version (id, version) VALUES (1, 0);
