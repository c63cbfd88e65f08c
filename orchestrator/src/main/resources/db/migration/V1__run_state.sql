-- Run state of the orchestrator. Portable between H2 (default, file DB) and PostgreSQL.
-- Times are epoch milliseconds; protobuf payloads are stored as proto JSON.

-- One row per run: a projection of its event log, updated in the same transaction as each event.
CREATE TABLE runs (
    ordinal              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id                   VARCHAR(64)  NOT NULL UNIQUE,
    name                 VARCHAR(128) NOT NULL,
    status               VARCHAR(32)  NOT NULL,
    config_json          TEXT         NOT NULL,
    hyperparameters_json TEXT,
    created_at           BIGINT       NOT NULL,
    started_at           BIGINT,
    finished_at          BIGINT,
    step                 BIGINT       NOT NULL DEFAULT 0,
    total_steps          BIGINT       NOT NULL DEFAULT 0,
    error_json           TEXT,
    result_model_dir     TEXT,
    last_sequence        BIGINT       NOT NULL DEFAULT 0,
    cancel_requested     BOOLEAN      NOT NULL DEFAULT FALSE
);
CREATE INDEX runs_by_status ON runs (status, ordinal);

-- The event log: sequence is 1, 2, 3, ... per run, the resume point of WatchRun.
CREATE TABLE events (
    run_id     VARCHAR(64) NOT NULL REFERENCES runs (id),
    sequence   BIGINT      NOT NULL,
    event_time BIGINT      NOT NULL,
    level      VARCHAR(16) NOT NULL,
    event_type VARCHAR(32) NOT NULL,
    message    TEXT        NOT NULL,
    data_json  TEXT,
    PRIMARY KEY (run_id, sequence)
);

-- Latest value of each metric at each step (a resumed run may report a step again).
CREATE TABLE metrics (
    run_id       VARCHAR(64)      NOT NULL REFERENCES runs (id),
    step         BIGINT           NOT NULL,
    name         VARCHAR(128)     NOT NULL,
    metric_value DOUBLE PRECISION NOT NULL,
    sequence     BIGINT           NOT NULL,
    PRIMARY KEY (run_id, step, name)
);

CREATE TABLE checkpoints (
    run_id       VARCHAR(64) NOT NULL REFERENCES runs (id),
    step         BIGINT      NOT NULL,
    path         TEXT        NOT NULL,
    created_at   BIGINT      NOT NULL,
    metrics_json TEXT        NOT NULL,
    sequence     BIGINT      NOT NULL,
    PRIMARY KEY (run_id, step)
);
