-- Sync jobs, per-account leases, the account mirror with its change sequence, device cursors.

-- The account-wide change sequence: every change to the mirror takes the next number(s) with
-- UPDATE ... SET change_seq = change_seq + n RETURNING, which also serializes writers of one account,
-- so numbers become visible in order. purged_seq: tombstones at or below it are gone, so older states
-- answer 410.
ALTER TABLE account ADD COLUMN change_seq bigint NOT NULL DEFAULT 0;
ALTER TABLE account ADD COLUMN purged_seq bigint NOT NULL DEFAULT 0;
-- Login refused: no automatic retries until the settings change or a user asks again.
ALTER TABLE account ADD COLUMN auth_blocked boolean NOT NULL DEFAULT false;

ALTER TABLE device ADD COLUMN acked_seq bigint NOT NULL DEFAULT 0;
ALTER TABLE device ADD COLUMN last_sync_at timestamptz;
ALTER TABLE device ADD COLUMN next_sync_at timestamptz;
CREATE INDEX device_due_idx ON device (next_sync_at) WHERE next_sync_at IS NOT NULL;

-- One worker per account at a time. token is the fencing token: it grows on every acquisition and
-- every state write checks it, so a paused or partitioned worker can never write stale state.
CREATE TABLE account_lease (
    account_id  text        PRIMARY KEY REFERENCES account (id) ON DELETE CASCADE,
    holder      text,
    token       bigint      NOT NULL DEFAULT 0,
    expires_at  timestamptz
);

CREATE TABLE sync_job (
    id                text        PRIMARY KEY,
    account_id        text        NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    device_id         text        NOT NULL REFERENCES device (id) ON DELETE CASCADE,
    status            text        NOT NULL CHECK (status IN ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED')),
    trigger           text        NOT NULL CHECK (trigger IN ('API', 'SCHEDULE')),
    changes           jsonb       NOT NULL DEFAULT '[]',
    results           jsonb,
    attempts          integer     NOT NULL DEFAULT 0,
    max_attempts      integer     NOT NULL,
    run_after         timestamptz NOT NULL,
    created_at        timestamptz NOT NULL,
    started_at        timestamptz,
    finished_at       timestamptz,
    error_code        text,
    error_detail      text,
    cancel_requested  boolean     NOT NULL DEFAULT false,
    worker            text,
    lease_token       bigint,
    state_seq         bigint
);
-- At most one fresh queued job per device: a new request joins it (a job waiting for a retry does not
-- take new changes, its own are already being worked on).
CREATE UNIQUE INDEX sync_job_one_queued_uq ON sync_job (device_id) WHERE status = 'QUEUED' AND attempts = 0;
CREATE INDEX sync_job_claim_idx ON sync_job (run_after) WHERE status = 'QUEUED';
CREATE INDEX sync_job_running_idx ON sync_job (account_id) WHERE status = 'RUNNING';
CREATE INDEX sync_job_history_idx ON sync_job (device_id, created_at, id);

-- Idempotency-Key of each POST: the same key again answers the same job and applies nothing twice;
-- the same key with another body is a conflict. Several requests may have joined one job.
CREATE TABLE sync_job_request (
    device_id        text        NOT NULL REFERENCES device (id) ON DELETE CASCADE,
    idempotency_key  text        NOT NULL,
    job_id           text        NOT NULL REFERENCES sync_job (id) ON DELETE CASCADE,
    body_sha256      text        NOT NULL,
    created_at       timestamptz NOT NULL,
    PRIMARY KEY (device_id, idempotency_key)
);

-- The mirror. Rows are never updated in place for a destroy: destroyed_seq marks a tombstone (with
-- its cause) that devices read as "destroyed" until the retention purges it. change_seq is the
-- number of the row's latest change; deltas read rows with change_seq in (since, current].
CREATE TABLE mirror_folder (
    id               text        PRIMARY KEY,
    account_id       text        NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    name             text        NOT NULL,
    delimiter        text,
    special_use      text,
    uid_validity     bigint,
    uid_next         bigint,
    highest_modseq   bigint,
    message_count    bigint,
    created_seq      bigint      NOT NULL,
    change_seq       bigint      NOT NULL,
    destroyed_seq    bigint,
    destroyed_cause  text,
    destroyed_at     timestamptz
);
CREATE UNIQUE INDEX mirror_folder_live_name_uq ON mirror_folder (account_id, name) WHERE destroyed_seq IS NULL;
CREATE INDEX mirror_folder_changes_idx ON mirror_folder (account_id, change_seq);

CREATE TABLE mirror_message (
    id               text        PRIMARY KEY,
    account_id       text        NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    folder_id        text        NOT NULL REFERENCES mirror_folder (id) ON DELETE CASCADE,
    uid              bigint      NOT NULL,
    uidl             text,
    flags            text[]      NOT NULL,
    subject          text,
    from_addresses   jsonb       NOT NULL DEFAULT '[]',
    to_addresses     jsonb       NOT NULL DEFAULT '[]',
    cc_addresses     jsonb       NOT NULL DEFAULT '[]',
    sent_at          timestamptz,
    message_id       text,
    size             bigint      NOT NULL,
    internal_date    timestamptz,
    preview          text,
    has_attachments  boolean     NOT NULL DEFAULT false,
    created_seq      bigint      NOT NULL,
    change_seq       bigint      NOT NULL,
    destroyed_seq    bigint,
    destroyed_cause  text,
    destroyed_at     timestamptz
);
CREATE UNIQUE INDEX mirror_message_live_uid_uq ON mirror_message (folder_id, uid) WHERE destroyed_seq IS NULL;
CREATE INDEX mirror_message_changes_idx ON mirror_message (account_id, change_seq);
CREATE INDEX mirror_message_view_idx ON mirror_message (folder_id, internal_date DESC) WHERE destroyed_seq IS NULL;
