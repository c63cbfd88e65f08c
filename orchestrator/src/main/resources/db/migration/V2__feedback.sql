-- Feedback on completions and the preference pairs it implies (jdpo.v1.FeedbackService).
-- Portable between H2 and PostgreSQL. Times are epoch milliseconds; hashes are SHA-256 in hex.

-- A logged prompt; prompt_hash identifies equal prompts across requests.
CREATE TABLE feedback_requests (
    ordinal       BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id            VARCHAR(64)   NOT NULL UNIQUE,
    task          VARCHAR(256)  NOT NULL,
    model         VARCHAR(1024) NOT NULL,
    messages_json TEXT          NOT NULL,
    prompt_hash   VARCHAR(64)   NOT NULL,
    metadata_json TEXT          NOT NULL,
    created_at    BIGINT        NOT NULL
);

CREATE TABLE feedback_completions (
    id         VARCHAR(64) PRIMARY KEY,
    request_id VARCHAR(64) NOT NULL REFERENCES feedback_requests (id),
    position   INT         NOT NULL,
    content    TEXT        NOT NULL
);
CREATE INDEX feedback_completions_by_request ON feedback_completions (request_id, position);

-- Every RecordFeedback call as it came (proto JSON), so a pair can be traced to what was said.
CREATE TABLE feedback_records (
    id         VARCHAR(64) PRIMARY KEY,
    source     VARCHAR(32) NOT NULL,
    created_at BIGINT      NOT NULL,
    body_json  TEXT        NOT NULL
);

-- Criteria verdicts, per completion and criterion; the latest (highest ordinal) counts.
CREATE TABLE feedback_scores (
    ordinal       BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    feedback_id   VARCHAR(64)      NOT NULL REFERENCES feedback_records (id),
    request_id    VARCHAR(64)      NOT NULL REFERENCES feedback_requests (id),
    completion_id VARCHAR(64)      NOT NULL REFERENCES feedback_completions (id),
    criterion     VARCHAR(256)     NOT NULL,
    score         DOUBLE PRECISION NOT NULL,
    created_at    BIGINT           NOT NULL
);
CREATE INDEX feedback_scores_by_request ON feedback_scores (request_id, criterion);
CREATE INDEX feedback_scores_by_completion ON feedback_scores (completion_id, criterion);

-- The pairs each record implies, derived when it is recorded (criteria pairs are re-derived per request and
-- criterion on every new score). pair_key hashes the prompt and the two texts in either order, so one ordered
-- scan over it meets all duplicates and contradictions of a pair together: the export pages through it, by the
-- task index when it filters on a task (through the other, it would read every task's rows to find one task's).
CREATE TABLE feedback_pairs (
    ordinal        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    pair_key       VARCHAR(64)      NOT NULL,
    preferred_hash VARCHAR(64)      NOT NULL,
    rejected_hash  VARCHAR(64)      NOT NULL,
    feedback_ids   VARCHAR(256)     NOT NULL,
    source         VARCHAR(32)      NOT NULL,
    request_id     VARCHAR(64)      NOT NULL REFERENCES feedback_requests (id),
    task           VARCHAR(256)     NOT NULL,
    criterion      VARCHAR(256),
    score_gap      DOUBLE PRECISION,
    created_at     BIGINT           NOT NULL,
    preferred      TEXT             NOT NULL,
    rejected       TEXT             NOT NULL
);
CREATE INDEX feedback_pairs_by_key ON feedback_pairs (pair_key, ordinal);
CREATE INDEX feedback_pairs_by_task_key ON feedback_pairs (task, pair_key, ordinal);
CREATE INDEX feedback_pairs_by_criterion ON feedback_pairs (request_id, criterion);
