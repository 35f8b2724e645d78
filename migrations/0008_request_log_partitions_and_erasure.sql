-- Retention and erasure (issue 8): what the retention sweep and account-delete need beyond
-- 0005 and 0006.
--
-- Deletion records keep no personal data once the erasure is done: while an erasure runs, the
-- record names the account (so a retry finds it and resumes); when it completes, the account
-- id is replaced by a salted SHA-256 of it (the salt kept beside it), which proves the erasure
-- to whoever knows the id and tells nothing to anyone else. updated_at tells the sweep which
-- erasures stalled.
--
-- account-delete stops the account's running scans and deployments by marking them
-- cancelled; the scan and deploy workers check their row's status between steps and stop.

set local search_path = kloudhub, pg_catalog;

-- MARK: deletion_records

alter table deletion_records alter column account_id drop not null;
alter table deletion_records add column account_id_salt bytea check (octet_length(account_id_salt) = 16);
alter table deletion_records add column account_id_hash bytea check (octet_length(account_id_hash) = 32);
alter table deletion_records add column updated_at timestamptz not null default now();
alter table deletion_records add constraint deletion_records_anonymous_when_completed
    check ((status = 'completed') = (account_id is null)
           and (status <> 'completed' or (account_id_hash is not null and account_id_salt is not null)));
-- The sweep starts the erasure of an account marked deleting whose hand-off to account-delete
-- never arrived.
alter table deletion_records drop constraint deletion_records_reason_check;
alter table deletion_records add constraint deletion_records_reason_check
    check (reason in ('user_request', 'clerk_webhook', 'operator', 'retention_sweep'));
-- retention: erasures that stalled
create index deletion_records_stalled_idx on deletion_records (updated_at) where status <> 'completed';

-- MARK: stopping work

grant update (status, finished_at) on scans to kloudhub_maintenance;
grant update (status, finished_at, updated_at) on deployments to kloudhub_maintenance;

-- MARK: retention indexes

-- The sweep deletes expired rows a batch at a time along (timestamp, id), starting each batch
-- where the last one ended. On the timestamp alone, equal timestamps share one posting list,
-- whose dead entries every later batch would walk again.
drop index oauth_codes_expires_idx;
create index oauth_codes_expires_idx on oauth_codes (expires_at, id);
drop index api_keys_revoked_idx;
create index api_keys_revoked_idx on api_keys (revoked_at, id) where revoked_at is not null;
drop index api_keys_expires_idx;
create index api_keys_expires_idx on api_keys (expires_at, id) where expires_at is not null and revoked_at is null;
