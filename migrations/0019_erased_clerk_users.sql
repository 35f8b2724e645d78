-- A deleted person's session never makes a new account.
--
-- Once an account's erasure has run, its row is gone; a Clerk session token issued before the
-- deletion (Clerk's last lives a minute, a custom one longer) would then make a new, empty
-- account for the same Clerk user, as if the deletion had not happened. When an account is
-- marked deleting, the SHA-256 of its Clerk user id is kept here (a hash of a random id, which
-- names no one); upsert_clerk_account makes no account for it. Clerk gives a person who signs
-- up again a new user id, so nobody is locked out. The retention sweep removes an entry 30 days
-- after the deletion, when no token of that user can still be valid.

set local search_path = kloudhub, pg_catalog;

create table erased_clerk_users (
    clerk_user_hash bytea primary key check (length(clerk_user_hash) = 32),
    erased_at timestamptz not null default now()
);
create index erased_clerk_users_erased_at_idx on erased_clerk_users (erased_at);
grant select, delete on erased_clerk_users to kloudhub_maintenance;
grant select (clerk_user_hash) on erased_clerk_users to kloudhub_auth;
grant insert (clerk_user_hash) on erased_clerk_users to kloudhub_auth;

-- Runs as kloudhub_auth whoever marks the account deleting (the API role for Clerk's webhook,
-- the maintenance role for DELETE /v1/account).
create function remember_erased_clerk_user() returns trigger
    language plpgsql security definer
    set search_path = pg_catalog, pg_temp
    as $$
    begin
        insert into kloudhub.erased_clerk_users (clerk_user_hash)
        values (pg_catalog.sha256(pg_catalog.convert_to(new.clerk_user_id, 'UTF8')))
        on conflict (clerk_user_hash) do nothing;
        return new;
    end
    $$;
alter function remember_erased_clerk_user() owner to kloudhub_auth;
revoke all on function remember_erased_clerk_user() from public;

create trigger accounts_remember_erased_clerk_user
    after update of status on accounts
    for each row when (old.status = 'active' and new.status = 'deleting')
    execute function remember_erased_clerk_user();

-- As in 0017, and no new account for a Clerk user whose account was deleted: then one row,
-- with no id and the status 'erased'.
create or replace function upsert_clerk_account(clerk_user text, profile_email text, profile_name text)
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
            if exists (select from kloudhub.erased_clerk_users e
                       where e.clerk_user_hash = pg_catalog.sha256(pg_catalog.convert_to(clerk_user, 'UTF8'))) then
                account_status := 'erased';
                return next;
                return;
            end if;
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
