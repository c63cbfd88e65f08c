-- Continual DPO jobs (jdpo.v1.ContinualService). Portable between H2 and PostgreSQL; times are epoch milliseconds.

-- One row per job: the whole ContinualJob (config, rounds, cursor) as proto JSON, rewritten in the same
-- transaction as each of its events, so a restarted orchestrator continues from exactly what was recorded.
CREATE TABLE continual_jobs (
    ordinal       BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id            VARCHAR(64)  NOT NULL UNIQUE,
    name          VARCHAR(128) NOT NULL,
    status        VARCHAR(32)  NOT NULL,
    job_json      TEXT         NOT NULL,
    created_at    BIGINT       NOT NULL,
    last_sequence BIGINT       NOT NULL DEFAULT 0
);
CREATE INDEX continual_jobs_by_status ON continual_jobs (status, ordinal);

-- The job's events: sequence is 1, 2, 3, ... per job, the resume point of WatchContinualJob.
CREATE TABLE continual_events (
    job_id     VARCHAR(64) NOT NULL REFERENCES continual_jobs (id),
    sequence   BIGINT      NOT NULL,
    event_json TEXT        NOT NULL,
    PRIMARY KEY (job_id, sequence)
);
