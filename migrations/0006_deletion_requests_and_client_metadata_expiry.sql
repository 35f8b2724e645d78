-- Two additions: deletion requests by the API role, and the cache expiry of client
-- metadata documents.
--
-- A person's deletion request (Clerk's user.deleted webhook, handled by the API role) ends
-- access at once: the account is marked as deleting, and every lookup of a key, code or Clerk
-- user then refuses it. account-delete and the retention sweep erase it afterwards. No app
-- role can take the request back.

set local search_path = kloudhub, pg_catalog;

grant update (status, deletion_requested_at) on accounts to kloudhub_api;

create function deletion_is_final() returns trigger
    language plpgsql
    set search_path = pg_catalog, pg_temp
    as $$
    begin
        if old.status = 'deleting' and new.status is distinct from 'deleting' then
            raise exception 'account % is being deleted; that cannot be undone', old.id
                using errcode = 'check_violation';
        end if;
        return new;
    end
    $$;

create trigger accounts_deletion_is_final
    before update of status on accounts
    for each row execute function deletion_is_final();

-- A client known by its metadata document is fetched again when the document's HTTP cache
-- lifetime ends; every function instance reads that expiry here rather than fetching anew.
alter table oauth_clients add column metadata_expires_at timestamptz;
grant select (metadata_expires_at) on oauth_clients to kloudhub_api, kloudhub_maintenance;
grant update (metadata_expires_at) on oauth_clients to kloudhub_api;

-- Every request with a key looks it up: in PL/pgSQL the lookup's plan is cached per
-- connection, where the SQL function it replaces was planned on every call.
create or replace function find_api_key(presented_hash bytea)
    returns table (
        id uuid, account_id uuid, kind text, scopes text[], client_id text, family_id uuid,
        resource text, expires_at timestamptz, revoked_at timestamptz, account_status text)
    language plpgsql stable security definer
    set search_path = pg_catalog, pg_temp
    as $$
    begin
        return query
            select k.id, k.account_id, k.kind, k.scopes, k.client_id, k.family_id,
                   k.resource, k.expires_at, k.revoked_at, a.status
            from kloudhub.api_keys k
            join kloudhub.accounts a on a.id = k.account_id
            where k.key_hash = presented_hash;
    end
    $$;
