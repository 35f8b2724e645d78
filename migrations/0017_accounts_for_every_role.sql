-- Production parity (issue 19).
--
-- A Clerk session proves a person to scan and deploy (the worker role) and to account-delete
-- (maintenance) as much as to token (api), and a person's first request may reach any of them.
-- The worker role may not write accounts, so a signed-in person's first call to scan or deploy
-- failed. The account is now found, made or brought up to date by one SECURITY DEFINER
-- function that every role may call and that does nothing else, in one round trip; the API
-- role's own INSERT and profile UPDATE go, so this is the one way an account is made from a
-- verified Clerk session or webhook (PP-account).
--
-- A deployment that MCP queued (API role) and whose run could not be started is marked failed
-- by the same role, so a refused or lost invoke never leaves a queued row that blocks its Kloud.

set local search_path = kloudhub, pg_catalog;

grant select (email, name) on accounts to kloudhub_auth;
grant insert (clerk_user_id, email, name) on accounts to kloudhub_auth;
grant update (email, name, updated_at) on accounts to kloudhub_auth;
create policy auth_insert on accounts for insert to kloudhub_auth with check (status = 'active');
create policy auth_update on accounts for update to kloudhub_auth using (status = 'active') with check (status = 'active');

-- The account of a verified Clerk user: made with the email and name when it is new, the
-- profile brought up to date when it changed and the account is active. Without an email only
-- an existing account is found (no row when there is none).
create function upsert_clerk_account(clerk_user text, profile_email text, profile_name text)
    returns table (account_id uuid, account_status text)
    language plpgsql volatile security definer
    set search_path = pg_catalog, pg_temp
    as $$
    declare
        wanted_name constant text := coalesce(profile_name, '');
    begin
        select a.id, a.status into account_id, account_status
        from kloudhub.accounts a where a.clerk_user_id = clerk_user;
        if account_id is null then
            if profile_email is null then
                return;
            end if;
            insert into kloudhub.accounts as a (clerk_user_id, email, name)
            values (clerk_user, profile_email, wanted_name)
            on conflict (clerk_user_id) do nothing
            returning a.id, a.status into account_id, account_status;
            if account_id is null then
                -- Another request made it first.
                select a.id, a.status into account_id, account_status
                from kloudhub.accounts a where a.clerk_user_id = clerk_user;
            end if;
        elsif account_status = 'active' and profile_email is not null then
            update kloudhub.accounts a set email = profile_email, name = wanted_name, updated_at = now()
            where a.id = account_id and (a.email, a.name) is distinct from (profile_email, wanted_name);
        end if;
        return next;
    end
    $$;
alter function upsert_clerk_account(text, text, text) owner to kloudhub_auth;
revoke all on function upsert_clerk_account(text, text, text) from public;
grant execute on function upsert_clerk_account(text, text, text)
    to kloudhub_api, kloudhub_worker, kloudhub_maintenance;

revoke insert on accounts from kloudhub_api;
revoke update (email, name) on accounts from kloudhub_api;

grant update (status, started_at, finished_at, updated_at, error_code, error_message) on deployments to kloudhub_api;
