-- The notification outbox, the request log (partitioned by day), and the
-- records that prove an erasure.

set local search_path = kloudhub, pg_catalog;

-- MARK: notifications

-- Transactional notifications, written in the same transaction as the
-- change they announce and sent by email (SES) afterwards. The recipient's
-- address is read from accounts when sending, not copied here.
create table notifications (
    id uuid primary key default gen_random_uuid(),
    account_id uuid not null references accounts (id) on delete cascade,
    kind text not null check (kind in ('deployment_status', 'analysis_completed', 'scan_completed')),
    subject_id uuid,
    payload jsonb not null default '{}' check (jsonb_typeof(payload) = 'object'),
    idempotency_key text not null check (length(idempotency_key) between 1 and 200),
    status text not null default 'pending' check (status in ('pending', 'sending', 'sent', 'failed')),
    attempts integer not null default 0 check (attempts >= 0),
    next_attempt_at timestamptz not null default now(),
    last_error_code text,
    created_at timestamptz not null default now(),
    sent_at timestamptz,
    unique (account_id, id),
    unique (account_id, idempotency_key),
    check ((status = 'sent') = (sent_at is not null))
);
create index notifications_account_idx on notifications (account_id, created_at desc);
create index notifications_due_idx on notifications (next_attempt_at) where status in ('pending', 'sending');
-- retention: sent notifications
create index notifications_sent_idx on notifications (sent_at) where sent_at is not null;

select isolate_by_account('notifications');
grant select, insert on notifications to kloudhub_worker;
-- The sender works across accounts.
grant select, insert, update, delete on notifications to kloudhub_maintenance;

-- MARK: request_log

-- HTTP requests, for security monitoring: IP, time, headers with secrets
-- redacted (Authorization, Cookie, tokens) and the path without its query
-- string. Kept at most 90 days: one partition per UTC day, so retention drops
-- whole partitions instead of deleting rows.
create table request_log (
    id uuid not null default gen_random_uuid(),
    occurred_at timestamptz not null default now(),
    request_id text not null check (length(request_id) between 1 and 200),
    function_name text not null,
    account_id uuid,
    method text not null check (length(method) between 1 and 16),
    path text not null check (length(path) <= 2048 and position('?' in path) = 0),
    status integer not null check (status between 100 and 599),
    ip inet,
    user_agent text check (length(user_agent) <= 1024),
    headers jsonb not null default '{}' check (jsonb_typeof(headers) = 'object'),
    duration_ms integer not null check (duration_ms >= 0),
    primary key (id, occurred_at)
) partition by range (occurred_at);
-- erasure of a deleted account's attribution
create index request_log_account_idx on request_log (account_id, occurred_at desc) where account_id is not null;

-- Functions write the log and never read it. A row names no account, or the
-- current one; only kloudhub_maintenance reads, anonymizes and drops.
-- Partitions are reached only through this table: no role has privileges
-- on a partition itself.
alter table request_log enable row level security;
alter table request_log force row level security;
create policy write_own_or_anonymous on request_log for insert to kloudhub_api, kloudhub_worker
    with check (
        account_id is null
        or account_id = nullif(pg_catalog.current_setting('kloudhub.account_id', true), '')::uuid
    );
create policy maintenance_all_accounts on request_log for all to kloudhub_maintenance
    using (true) with check (true);
grant insert on request_log to kloudhub_api, kloudhub_worker, kloudhub_maintenance;
grant select, delete on request_log to kloudhub_maintenance;
grant update (account_id, ip, user_agent, headers) on request_log to kloudhub_maintenance;

-- Creates the daily partitions of day_count days from first_day (UTC) that
-- do not exist yet; returns how many it created. The sweep keeps a week
-- ahead. SECURITY DEFINER because only the table's owner may add partitions.
create function create_request_log_partitions(first_day date, day_count integer)
    returns integer
    language plpgsql security definer
    set search_path = pg_catalog, pg_temp
    as $$
declare
    day date;
    partition_name text;
    created integer := 0;
begin
    if day_count not between 1 and 62 then
        raise exception 'day_count must be between 1 and 62' using errcode = '22023';
    end if;
    -- Two sweeps at once would race on the catalog.
    perform pg_advisory_xact_lock(hashtext('kloudhub.request_log partitions'));
    for offset_days in 0 .. day_count - 1 loop
        day := first_day + offset_days;
        partition_name := 'request_log_p' || to_char(day, 'YYYYMMDD');
        if to_regclass(format('kloudhub.%I', partition_name)) is null then
            execute format(
                'create table kloudhub.%I partition of kloudhub.request_log for values from (%L) to (%L)',
                partition_name, day::timestamp at time zone 'UTC', (day + 1)::timestamp at time zone 'UTC');
            created := created + 1;
        end if;
    end loop;
    return created;
end $$;

-- Drops every daily partition whose rows are all older than older_than
-- (UTC); returns how many it dropped. Refuses a date past today, so a
-- mistake cannot drop current logs.
create function drop_request_log_partitions(older_than date)
    returns integer
    language plpgsql security definer
    set search_path = pg_catalog, pg_temp
    as $$
declare
    partition_name text;
    dropped integer := 0;
begin
    if older_than > (now() at time zone 'UTC')::date then
        raise exception 'older_than must not be after today' using errcode = '22023';
    end if;
    perform pg_advisory_xact_lock(hashtext('kloudhub.request_log partitions'));
    for partition_name in
        select c.relname
        from pg_inherits i
        join pg_class c on c.oid = i.inhrelid
        where i.inhparent = 'kloudhub.request_log'::regclass
          and c.relname ~ '^request_log_p[0-9]{8}$'
          and to_date(substr(c.relname, 14, 8), 'YYYYMMDD') + 1 <= older_than
        order by c.relname
    loop
        execute format('drop table kloudhub.%I', partition_name);
        dropped := dropped + 1;
    end loop;
    return dropped;
end $$;

revoke all on function create_request_log_partitions(date, integer), drop_request_log_partitions(date) from public;
grant execute on function create_request_log_partitions(date, integer), drop_request_log_partitions(date)
    to kloudhub_maintenance;

-- Yesterday to a week ahead, so logging works from the first deployment.
select create_request_log_partitions((now() at time zone 'UTC')::date - 1, 9);

-- MARK: deletion_records

-- Proof that an account was erased, without personal data: the account's
-- random id (which names no one once the account row is gone), when it was
-- asked and done, and counts of what was removed. No foreign key: the record
-- outlives the account. progress lists the steps done so a retried erasure
-- resumes. Erasure must finish within 30 days of the request.
create table deletion_records (
    id uuid primary key default gen_random_uuid(),
    account_id uuid not null,
    reason text not null check (reason in ('user_request', 'clerk_webhook', 'operator')),
    status text not null default 'pending' check (status in ('pending', 'erasing', 'completed')),
    requested_at timestamptz not null default now(),
    erase_by timestamptz not null default now() + interval '30 days',
    completed_at timestamptz,
    progress jsonb not null default '{}' check (jsonb_typeof(progress) = 'object'),
    summary jsonb not null default '{}' check (jsonb_typeof(summary) = 'object'),
    check ((status = 'completed') = (completed_at is not null)),
    check (erase_by <= requested_at + interval '30 days')
);
create unique index deletion_records_open_idx on deletion_records (account_id) where status <> 'completed';
-- retention: erasures due
create index deletion_records_due_idx on deletion_records (erase_by) where status <> 'completed';

select isolate_by_account('deletion_records');
-- Only account-delete and the sweep touch it.
grant select, insert, update, delete on deletion_records to kloudhub_maintenance;
