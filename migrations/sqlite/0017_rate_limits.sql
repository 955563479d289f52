-- Failures per door and client address in the current window, shared by every web process on
-- one database (each process counting alone would allow N times the tries). One row per door
-- and address; a new window starts its count again.
CREATE TABLE rate_limits (
    door         TEXT    NOT NULL,
    address      TEXT    NOT NULL,
    window_start BIGINT  NOT NULL,
    failures     INTEGER NOT NULL,
    PRIMARY KEY (door, address)
);
CREATE INDEX rate_limits_by_window ON rate_limits (window_start);
