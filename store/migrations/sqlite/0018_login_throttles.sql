-- Login throttling that an attacker cannot aim (security issue, item 7).
-- Failures count per (account, client address) -- kind PAIR -- and per client
-- address across accounts -- kind ADDR, account ''. A row blocks its key until
-- blocked_until; nothing here ever blocks an account for other addresses.
-- The counts are shared by every api process through the store.
CREATE TABLE login_throttles (
    kind            TEXT NOT NULL,
    account         TEXT NOT NULL,
    address         TEXT NOT NULL,
    failures        INTEGER NOT NULL,
    last_failure_at TIMESTAMP NOT NULL,
    blocked_until   TIMESTAMP,
    PRIMARY KEY (kind, account, address)
);
CREATE INDEX login_throttles_address_idx ON login_throttles (address);
CREATE INDEX login_throttles_last_idx ON login_throttles (last_failure_at);

-- The per-account counts of 0007 locked an account against every address.
DROP TABLE login_failures;
