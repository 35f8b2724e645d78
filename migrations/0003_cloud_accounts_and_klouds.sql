-- Connected AWS accounts, Klouds (Terraform blueprints) and their files, and
-- deployments.
--
-- Children reference parents by (account_id, id), not by id alone: foreign
-- key checks ignore row-level security, so a single-column key would let an
-- account attach its rows to another account's parent. With the pair, the
-- parent must belong to the same account. Unique constraints ignore it too,
-- so each one includes account_id (or a random secret's hash): otherwise a
-- refused insert would tell one account what another has.

set local search_path = kloudhub, pg_catalog;

-- MARK: cloud_accounts

-- Credential columns: external_id (role auth), credential_ciphertext
-- (AES-256-GCM of the access keys: nonce, ciphertext and tag), encrypted_data_key
-- (the KMS-encrypted data key) and kms_key_id. No plaintext secret is ever
-- stored. Disconnecting erases the ciphertext and keeps the row for history.
create table cloud_accounts (
    id uuid primary key default gen_random_uuid(),
    account_id uuid not null references accounts (id) on delete cascade,
    aws_account_id text not null check (aws_account_id ~ '^[0-9]{12}$'),
    name text not null check (length(name) between 1 and 200),
    region text not null check (region ~ '^[a-z]{2}(-[a-z]+)+-[0-9]+$'),
    auth_kind text not null check (auth_kind in ('role', 'access_keys')),
    role_arn text check (role_arn ~ '^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$'),
    external_id text check (length(external_id) between 2 and 1224),
    credential_ciphertext bytea,
    encrypted_data_key bytea,
    kms_key_id text,
    status text not null default 'pending'
        check (status in ('pending', 'connected', 'error', 'disconnected')),
    last_verified_at timestamptz,
    last_error_code text,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    disconnected_at timestamptz,
    unique (account_id, id),
    check ((status = 'disconnected') = (disconnected_at is not null)),
    check (status <> 'disconnected' or (credential_ciphertext is null and encrypted_data_key is null)),
    check (
        status = 'disconnected'
        or (auth_kind = 'role' and role_arn is not null and external_id is not null
            and credential_ciphertext is null and encrypted_data_key is null)
        or (auth_kind = 'access_keys' and credential_ciphertext is not null
            and encrypted_data_key is not null and kms_key_id is not null)
    )
);
create index cloud_accounts_account_idx on cloud_accounts (account_id, created_at desc);
create unique index cloud_accounts_connected_idx on cloud_accounts (account_id, aws_account_id)
    where status <> 'disconnected';

select isolate_by_account('cloud_accounts');
-- kloudhub_api (and so MCP) cannot SELECT the credential columns at all; a
-- query naming them, or SELECT *, fails with permission denied.
grant select (id, account_id, aws_account_id, name, region, auth_kind, role_arn, status,
        last_verified_at, last_error_code, created_at, updated_at, disconnected_at)
    on cloud_accounts to kloudhub_api, kloudhub_maintenance;
-- scan and deploy connect, list and disconnect accounts, and decrypt the
-- credentials of the caller's account for the operation asked for.
grant select, insert, update, delete on cloud_accounts to kloudhub_worker;
-- account-delete erases credentials without reading them.
grant update (status, credential_ciphertext, encrypted_data_key, external_id, updated_at, disconnected_at)
    on cloud_accounts to kloudhub_maintenance;
grant delete on cloud_accounts to kloudhub_maintenance;

-- MARK: klouds

create table klouds (
    id uuid primary key default gen_random_uuid(),
    account_id uuid not null references accounts (id) on delete cascade,
    name text not null check (length(name) between 1 and 200),
    description text not null default '' check (length(description) <= 4000),
    variables jsonb not null default '{}' check (jsonb_typeof(variables) = 'object'),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    unique (account_id, id),
    unique (account_id, name)
);
create index klouds_account_idx on klouds (account_id, created_at desc);

select isolate_by_account('klouds');
grant select on klouds to kloudhub_api, kloudhub_maintenance;
grant select, insert, update, delete on klouds to kloudhub_worker;
grant delete on klouds to kloudhub_maintenance;

-- The Terraform files of a Kloud: small ones inline, larger ones in S3.
create table kloud_files (
    id uuid primary key default gen_random_uuid(),
    account_id uuid not null references accounts (id) on delete cascade,
    kloud_id uuid not null,
    path text not null check (path ~ '^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$' and path !~ '(^|/)\.\.?(/|$)'),
    content text,
    s3_key text,
    sha256 bytea not null check (octet_length(sha256) = 32),
    size_bytes integer not null check (size_bytes >= 0),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    unique (account_id, kloud_id, path),
    foreign key (account_id, kloud_id) references klouds (account_id, id) on delete cascade,
    check ((content is null) <> (s3_key is null))
);

select isolate_by_account('kloud_files');
grant select on kloud_files to kloudhub_api, kloudhub_maintenance;
grant select, insert, update, delete on kloud_files to kloudhub_worker;
grant delete on kloud_files to kloudhub_maintenance;

-- MARK: deployments

-- A plan, apply or destroy of a Kloud into a cloud account. progress records
-- the steps done so a retried invocation resumes; idempotency_key makes a
-- duplicate delivery find the existing row.
create table deployments (
    id uuid primary key default gen_random_uuid(),
    account_id uuid not null references accounts (id) on delete cascade,
    kloud_id uuid not null,
    cloud_account_id uuid not null,
    action text not null check (action in ('plan', 'apply', 'destroy')),
    status text not null default 'queued'
        check (status in ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
    idempotency_key text check (length(idempotency_key) between 1 and 200),
    progress jsonb not null default '{}' check (jsonb_typeof(progress) = 'object'),
    plan_summary jsonb,
    log_s3_key text,
    state_s3_key text,
    error_code text,
    created_at timestamptz not null default now(),
    started_at timestamptz,
    finished_at timestamptz,
    updated_at timestamptz not null default now(),
    unique (account_id, id),
    unique (account_id, idempotency_key),
    foreign key (account_id, kloud_id) references klouds (account_id, id) on delete cascade,
    foreign key (account_id, cloud_account_id) references cloud_accounts (account_id, id) on delete cascade,
    check ((status in ('succeeded', 'failed', 'cancelled')) = (finished_at is not null)),
    check (status not in ('running', 'succeeded', 'failed') or started_at is not null)
);
create index deployments_account_idx on deployments (account_id, created_at desc);
create index deployments_kloud_idx on deployments (account_id, kloud_id, created_at desc);
create index deployments_cloud_account_idx on deployments (account_id, cloud_account_id);
create index deployments_unfinished_idx on deployments (created_at) where status in ('queued', 'running');

select isolate_by_account('deployments');
grant select on deployments to kloudhub_api, kloudhub_maintenance;
-- MCP may ask for a plan or apply: it queues the row, deploy runs it.
grant insert (id, account_id, kloud_id, cloud_account_id, action, idempotency_key)
    on deployments to kloudhub_api;
grant select, insert, update, delete on deployments to kloudhub_worker;
grant delete on deployments to kloudhub_maintenance;
