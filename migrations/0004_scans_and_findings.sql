-- Scans of cloud accounts, the resources they found with their monthly cost,
-- waste findings, KloudPilot analyses and shells. Money is numeric(14,4)
-- dollars, never floating point.

set local search_path = kloudhub, pg_catalog;

-- MARK: scans

-- One scan of a cloud account over some regions; progress lists the regions
-- done so a retry resumes rather than repeats.
create table scans (
    id uuid primary key default gen_random_uuid(),
    account_id uuid not null references accounts (id) on delete cascade,
    cloud_account_id uuid not null,
    regions text[] not null check (cardinality(regions) between 1 and 64),
    status text not null default 'queued'
        check (status in ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
    idempotency_key text check (length(idempotency_key) between 1 and 200),
    progress jsonb not null default '{}' check (jsonb_typeof(progress) = 'object'),
    resource_count integer not null default 0 check (resource_count >= 0),
    total_monthly_cost numeric(14, 4) not null default 0 check (total_monthly_cost >= 0),
    error_code text,
    created_at timestamptz not null default now(),
    started_at timestamptz,
    finished_at timestamptz,
    unique (account_id, id),
    unique (account_id, idempotency_key),
    foreign key (account_id, cloud_account_id) references cloud_accounts (account_id, id) on delete cascade,
    check ((status in ('succeeded', 'failed', 'cancelled')) = (finished_at is not null)),
    check (status not in ('running', 'succeeded', 'failed') or started_at is not null)
);
create index scans_account_idx on scans (account_id, created_at desc);
create index scans_cloud_account_idx on scans (account_id, cloud_account_id, created_at desc);
create index scans_unfinished_idx on scans (created_at) where status in ('queued', 'running');

select isolate_by_account('scans');
grant select on scans to kloudhub_api, kloudhub_maintenance;
-- MCP may start a scan: it queues the row, scan runs it.
grant insert (id, account_id, cloud_account_id, regions, idempotency_key) on scans to kloudhub_api;
grant select, insert, update, delete on scans to kloudhub_worker;
grant delete on scans to kloudhub_maintenance;

-- MARK: resources

-- The current inventory of a cloud account, one row per ARN, refreshed by
-- each scan.
create table resources (
    id uuid primary key default gen_random_uuid(),
    account_id uuid not null references accounts (id) on delete cascade,
    cloud_account_id uuid not null,
    last_scan_id uuid,
    arn text not null check (length(arn) between 1 and 2048),
    resource_type text not null check (resource_type ~ '^[a-z0-9-]+:[a-z0-9_/-]+$'),
    name text not null default '',
    region text not null check (region ~ '^([a-z]{2}(-[a-z]+)+-[0-9]+|global)$'),
    monthly_cost numeric(14, 4) not null default 0 check (monthly_cost >= 0),
    tags jsonb not null default '{}' check (jsonb_typeof(tags) = 'object'),
    details jsonb not null default '{}' check (jsonb_typeof(details) = 'object'),
    first_seen_at timestamptz not null default now(),
    last_seen_at timestamptz not null default now(),
    unique (account_id, id),
    unique (account_id, cloud_account_id, arn),
    foreign key (account_id, cloud_account_id) references cloud_accounts (account_id, id) on delete cascade,
    foreign key (account_id, last_scan_id) references scans (account_id, id) on delete set null (last_scan_id)
);
-- lists: by cost, by region then cost, by type then cost
create index resources_cost_idx on resources (account_id, monthly_cost desc, id);
create index resources_region_cost_idx on resources (account_id, region, monthly_cost desc, id);
create index resources_type_cost_idx on resources (account_id, resource_type, monthly_cost desc, id);
create index resources_last_scan_idx on resources (account_id, last_scan_id);

select isolate_by_account('resources');
grant select on resources to kloudhub_api, kloudhub_maintenance;
grant select, insert, update, delete on resources to kloudhub_worker;
grant delete on resources to kloudhub_maintenance;

-- MARK: waste_findings

-- A resource that costs money and does nothing, with the monthly saving of
-- removing it.
create table waste_findings (
    id uuid primary key default gen_random_uuid(),
    account_id uuid not null references accounts (id) on delete cascade,
    resource_id uuid not null,
    scan_id uuid,
    kind text not null check (kind ~ '^[a-z][a-z0-9_]{0,62}$'),
    title text not null check (length(title) between 1 and 500),
    reason text not null default '',
    monthly_saving numeric(14, 4) not null check (monthly_saving >= 0),
    status text not null default 'open' check (status in ('open', 'dismissed', 'resolved')),
    details jsonb not null default '{}' check (jsonb_typeof(details) = 'object'),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    resolved_at timestamptz,
    unique (account_id, id),
    unique (account_id, resource_id, kind),
    foreign key (account_id, resource_id) references resources (account_id, id) on delete cascade,
    foreign key (account_id, scan_id) references scans (account_id, id) on delete set null (scan_id),
    check ((status = 'open') = (resolved_at is null))
);
create index waste_findings_saving_idx on waste_findings (account_id, status, monthly_saving desc, id);
create index waste_findings_account_idx on waste_findings (account_id, created_at desc);

select isolate_by_account('waste_findings');
grant select on waste_findings to kloudhub_api, kloudhub_maintenance;
grant select, insert, update, delete on waste_findings to kloudhub_worker;
grant delete on waste_findings to kloudhub_maintenance;

-- MARK: analyses

-- KloudPilot analyses of an account, cloud account, scan, resource,
-- deployment or Kloud; large results in S3.
create table analyses (
    id uuid primary key default gen_random_uuid(),
    account_id uuid not null references accounts (id) on delete cascade,
    subject_kind text not null
        check (subject_kind in ('account', 'cloud_account', 'scan', 'resource', 'deployment', 'kloud')),
    subject_id uuid,
    status text not null default 'queued' check (status in ('queued', 'running', 'succeeded', 'failed')),
    question text not null default '' check (length(question) <= 4000),
    summary text,
    result jsonb,
    result_s3_key text,
    model text,
    error_code text,
    created_at timestamptz not null default now(),
    finished_at timestamptz,
    unique (account_id, id),
    check ((status in ('succeeded', 'failed')) = (finished_at is not null))
);
create index analyses_account_idx on analyses (account_id, created_at desc);
create index analyses_subject_idx on analyses (account_id, subject_kind, subject_id);

select isolate_by_account('analyses');
grant select on analyses to kloudhub_api, kloudhub_maintenance;
grant insert (id, account_id, subject_kind, subject_id, question) on analyses to kloudhub_api;
grant select, insert, update, delete on analyses to kloudhub_worker;
grant delete on analyses to kloudhub_maintenance;

-- MARK: shells

-- Persistent shells in isolated containers: metadata only; provisioning is a
-- later step. No key material is stored here.
create table shells (
    id uuid primary key default gen_random_uuid(),
    account_id uuid not null references accounts (id) on delete cascade,
    cloud_account_id uuid not null,
    name text not null check (length(name) between 1 and 200),
    status text not null default 'requested'
        check (status in ('requested', 'provisioning', 'running', 'stopped', 'failed', 'deleted')),
    region text check (region ~ '^[a-z]{2}(-[a-z]+)+-[0-9]+$'),
    image text,
    container_id text,
    created_at timestamptz not null default now(),
    started_at timestamptz,
    stopped_at timestamptz,
    last_active_at timestamptz,
    unique (account_id, id),
    foreign key (account_id, cloud_account_id) references cloud_accounts (account_id, id) on delete cascade
);
create index shells_account_idx on shells (account_id, created_at desc);
create index shells_cloud_account_idx on shells (account_id, cloud_account_id);

select isolate_by_account('shells');
grant select on shells to kloudhub_api, kloudhub_maintenance;
grant select, insert, update, delete on shells to kloudhub_worker;
grant delete on shells to kloudhub_maintenance;
