-- Klouds and deployments run by the deploy function (issue 9).
--
-- A Kloud says where it came from (written by a person, or generated). A deployment records
-- what a person sees of its run: Terraform's error in words (credentials redacted), its
-- non-sensitive outputs, the size of its log in S3 and the log's last lines (what the MCP
-- tools show without reading S3), and a cancellation request that the running invocation
-- honours. At most one deployment of a Kloud into a cloud account is queued or running.
--
-- The deploy function (worker role) writes the notification of a finished deployment in the
-- transaction that stores its status, and sends it at once: it reads the recipient's address
-- and records the send. Retries of a failed send are the retention sweep's, across accounts.

set local search_path = kloudhub, pg_catalog;

alter table klouds add column origin text not null default 'written' check (origin in ('written', 'generated'));

alter table deployments add column error_message text check (length(error_message) <= 2000);
alter table deployments add column outputs jsonb check (jsonb_typeof(outputs) = 'object');
alter table deployments add column log_bytes bigint not null default 0 check (log_bytes >= 0);
alter table deployments add column log_tail text not null default '' check (length(log_tail) <= 4000);
alter table deployments add column cancel_requested_at timestamptz;

create unique index deployments_one_active_idx on deployments (account_id, kloud_id, cloud_account_id)
    where status in ('queued', 'running');

grant select (email) on accounts to kloudhub_worker;
grant update (status, attempts, next_attempt_at, last_error_code, sent_at) on notifications to kloudhub_worker;
