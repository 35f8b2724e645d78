-- Roles, the kloudhub schema, and the row-level security building blocks.
--
-- Roles (NOLOGIN groups; created here idempotently, shared by every
-- database of a cluster):
--   kloudhub_api          authorize, token, mcp. Reads and writes the caller's
--                         account only; cannot SELECT credential columns or
--                         any secret hash (column privileges).
--   kloudhub_worker       scan, deploy. The caller's account only; may read the
--                         ciphertext of that account's cloud accounts.
--   kloudhub_maintenance  retention-sweep, account-delete. The only role whose
--                         policies cover every account. Reads no credential.
--   kloudhub_auth         owns the SECURITY DEFINER lookups that authentication
--                         makes before an account is known (0002). Nobody logs
--                         in as it; only the migrating owner is a member.
-- The owner is whoever runs these migrations (a non-superuser with
-- CREATEROLE is enough); it owns the tables, and the app never connects as it.
--
-- Login users are made per environment, each a member of one group role,
-- with the schema on its search path, for example:
--   create role kloudhub_api_prod login password '...' in role kloudhub_api;
--   alter role kloudhub_api_prod set search_path = kloudhub, public;
-- A role setting is applied by the server when a session starts, so it also
-- holds behind a transaction-mode pooler, unlike a client's SET.
--
-- Row-level security: every account-owned table gets FORCE ROW LEVEL SECURITY
-- and policies comparing its account column with the transaction-local
-- setting kloudhub.account_id, which the client sets with set_config(..., true)
-- at the start of each scoped transaction. No setting (or an empty one) is
-- NULL, which matches no row: no scope, no rows.

do $$
declare
    role_name text;
begin
    foreach role_name in array array['kloudhub_api', 'kloudhub_worker', 'kloudhub_maintenance', 'kloudhub_auth'] loop
        if not exists (select from pg_catalog.pg_roles where rolname = role_name) then
            begin
                execute format('create role %I nologin', role_name);
            exception when duplicate_object or unique_violation then
                null; -- created meanwhile by a migration of another database
            end;
        end if;
    end loop;
end $$;

-- Changing a function's owner to kloudhub_auth needs membership in it.
grant kloudhub_auth to current_user;

create schema if not exists kloudhub;
revoke all on schema kloudhub from public;
grant usage on schema kloudhub to kloudhub_api, kloudhub_worker, kloudhub_maintenance, kloudhub_auth;
-- A function's owner needs CREATE on its schema; kloudhub_auth cannot log in.
grant create on schema kloudhub to kloudhub_auth;

-- Functions are executable by PUBLIC unless revoked; make every later one
-- of this schema opt-in.
alter default privileges in schema kloudhub revoke execute on functions from public;

set local search_path = kloudhub, pg_catalog;

-- The account of the current scoped transaction, or NULL, for SQL that
-- needs it (inserting the current account's id, say). Policies spell the
-- expression out instead: to inline this function the planner re-parses its
-- body in every query, which measured as a third of a scoped point query.
create function current_account_id() returns uuid
    language sql stable parallel safe
    as $$ select nullif(pg_catalog.current_setting('kloudhub.account_id', true), '')::uuid $$;
revoke all on function current_account_id() from public;
grant execute on function current_account_id()
    to kloudhub_api, kloudhub_worker, kloudhub_maintenance, kloudhub_auth;

-- Puts an account-owned table under row-level security: enabled and forced
-- (even for the owner), a policy for the two scoped roles that reads and
-- writes only the current account's rows (USING for rows seen, updated or
-- deleted; WITH CHECK for rows inserted or updated), and a policy that lets
-- kloudhub_maintenance work across accounts. Privileges are granted per
-- table, next to it.
create function isolate_by_account(table_name text, account_column text default 'account_id')
    returns void
    language plpgsql
    set search_path = pg_catalog, pg_temp
    as $$
declare
    account_expression constant text :=
        'nullif(pg_catalog.current_setting(''kloudhub.account_id'', true), '''')::uuid';
begin
    execute format('alter table kloudhub.%I enable row level security', table_name);
    execute format('alter table kloudhub.%I force row level security', table_name);
    execute format(
        'create policy account_isolation on kloudhub.%I for all to kloudhub_api, kloudhub_worker '
        'using (%I = %s) with check (%I = %s)',
        table_name, account_column, account_expression, account_column, account_expression);
    execute format(
        'create policy maintenance_all_accounts on kloudhub.%I for all to kloudhub_maintenance '
        'using (true) with check (true)',
        table_name);
end $$;
revoke all on function isolate_by_account(text, text) from public;
