-- Scan results are kept per scan (issue 7): every scan has its own resources and findings,
-- kept until the person deletes the scan, and the lists show each cloud account's latest
-- completed scan (cloud_accounts.latest_scan_id, set when a scan succeeds).
--
-- A resource without a price (an instance type or region missing from the price table, or a
-- service billed by usage) has monthly_cost 0 and says why in unpriced_reason: it is never
-- reported as free. A scan records its warnings (a region or service that failed), its total
-- saving, and in progress the units (region and service) already done, so that a scan that
-- continues in a fresh invocation, or a repeated delivery of the same job, never repeats them.

set local search_path = kloudhub, pg_catalog;

alter table resources rename column last_scan_id to scan_id;
alter table resources alter column scan_id set not null;
alter table resources drop constraint resources_account_id_cloud_account_id_arn_key;
alter table resources drop constraint resources_account_id_last_scan_id_fkey;
alter table resources add foreign key (account_id, scan_id) references scans (account_id, id) on delete cascade;
alter table resources add unique (account_id, scan_id, arn);
alter table resources add column unpriced_reason text check (length(unpriced_reason) between 1 and 200);
alter table resources add check (unpriced_reason is null or monthly_cost = 0);
drop index resources_last_scan_idx;
drop index resources_cost_idx;
drop index resources_region_cost_idx;
drop index resources_type_cost_idx;
create index resources_scan_cost_idx on resources (account_id, scan_id, monthly_cost desc, id desc);

alter table waste_findings alter column scan_id set not null;
alter table waste_findings drop constraint waste_findings_account_id_scan_id_fkey;
alter table waste_findings add foreign key (account_id, scan_id) references scans (account_id, id) on delete cascade;
create index waste_findings_scan_saving_idx on waste_findings (account_id, scan_id, monthly_saving desc, id desc);

alter table scans add column warnings jsonb not null default '[]' check (jsonb_typeof(warnings) = 'array');
alter table scans add column total_monthly_saving numeric(14, 4) not null default 0
    check (total_monthly_saving >= 0);
alter table scans add column finding_count integer not null default 0 check (finding_count >= 0);
alter table scans add column unpriced_count integer not null default 0 check (unpriced_count >= 0);

alter table cloud_accounts add column latest_scan_id uuid;
alter table cloud_accounts add foreign key (account_id, latest_scan_id) references scans (account_id, id)
    on delete set null (latest_scan_id);
grant select (latest_scan_id) on cloud_accounts to kloudhub_api, kloudhub_maintenance;
grant update (latest_scan_id) on cloud_accounts to kloudhub_maintenance;
