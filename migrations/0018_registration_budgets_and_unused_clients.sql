-- Production parity (issue 19, item 8): anonymous client registration is bounded, and the
-- clients it made that nobody uses are swept.
--
-- Dynamic client registration (RFC 7591) is anonymous, so anyone could fill oauth_clients.
-- AWS WAF cannot be attached to an API Gateway HTTP API, and a stage's throttling is not per
-- address, so the budget is kept here: one row per source network (an IPv4 address, or the /64
-- of an IPv6 address) and fixed window, counting the registrations made from it. The authorize
-- function takes a slot and inserts the client in one transaction; the slot's row stays locked
-- until that transaction ends, so two registrations at once from one network are counted one
-- after the other and cannot both take the last slot.
--
-- The API role gets no privilege on the table, only take_registration_slot(): counting up needs
-- INSERT ... ON CONFLICT, which needs SELECT on the networks, and the API role has no business
-- reading which addresses registered. The retention sweep (maintenance role) deletes the
-- windows that have ended, and the dynamic clients unused for 30 days that no live token or
-- unexpired code references.

set local search_path = kloudhub, pg_catalog;

-- MARK: registration_budgets

create table registration_budgets (
    id uuid primary key default gen_random_uuid(),
    source_network cidr not null
        check ((family(source_network) = 4 and masklen(source_network) = 32)
               or (family(source_network) = 6 and masklen(source_network) = 64)),
    window_start timestamptz not null,
    registrations integer not null check (registrations >= 1),
    unique (source_network, window_start)
);
-- retention: the sweep deletes ended windows
create index registration_budgets_window_idx on registration_budgets (window_start, id);

grant select (id, window_start), delete on registration_budgets to kloudhub_maintenance;

-- Counts one registration from network in the window that began at window_begins, if fewer
-- than maximum were counted there; returns whether it was counted. The row stays locked until
-- the caller's transaction ends.
create function take_registration_slot(network cidr, window_begins timestamptz, maximum integer)
    returns boolean
    language sql volatile security definer
    set search_path = pg_catalog, pg_temp
    as $$
        with counted as (
            insert into kloudhub.registration_budgets as b (source_network, window_start, registrations)
            select network, window_begins, 1 where maximum >= 1
            on conflict on constraint registration_budgets_source_network_window_start_key
            do update set registrations = b.registrations + 1 where b.registrations < maximum
            returning 1)
        select exists (select from counted)
    $$;
revoke all on function take_registration_slot(cidr, timestamptz, integer) from public;
grant execute on function take_registration_slot(cidr, timestamptz, integer) to kloudhub_api;

-- The sweep deletes a backlog of ended windows page range by page range too.
create or replace function purge_page_range(
    target text, moment_column text, cutoff timestamptz, first_page bigint, end_page bigint,
    only_unrevoked boolean)
    returns bigint
    language plpgsql
    security definer
    set search_path = pg_catalog, pg_temp
    as $$
declare
    deleted bigint;
begin
    if (target, moment_column) not in (('api_keys', 'revoked_at'), ('api_keys', 'expires_at'),
                                       ('oauth_codes', 'expires_at'),
                                       ('registration_budgets', 'window_start')) then
        raise exception 'purge_page_range: % % is not a retention rule', target, moment_column;
    end if;
    execute format(
        'delete from kloudhub.%I where ctid >= $1 and ctid < $2 and %I <= $3%s',
        target, moment_column, case when only_unrevoked then ' and revoked_at is null' else '' end)
        using format('(%s,0)', first_page)::tid, format('(%s,0)', end_page)::tid, cutoff;
    get diagnostics deleted = row_count;
    return deleted;
end $$;

-- MARK: unused dynamic clients

-- retention: dynamic clients by their last use (their registration when never used)
create index oauth_clients_unused_idx on oauth_clients ((coalesce(last_used_at, created_at)))
    where registration_kind = 'dynamic';
-- What still references a client, found by its id: for the sweep's check, and for the cascade
-- that deletes a swept client's revoked and expired tokens and expired codes (without these,
-- each deleted client would read all of api_keys).
create index api_keys_client_idx on api_keys (client_id) where client_id is not null;
create index oauth_codes_client_idx on oauth_codes (client_id);
