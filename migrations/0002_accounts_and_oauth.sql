-- Accounts, OAuth clients and authorization codes, API keys (which hold the
-- OAuth access and refresh tokens too), and the lookups authentication makes
-- before it knows the account.

set local search_path = kloudhub, pg_catalog;

-- MARK: accounts

-- Created and updated only from a verified Clerk session token or webhook.
-- clerk_user_id is unique across accounts (it must be); it comes from a
-- verified token, never from a caller's input, so its uniqueness check
-- tells a caller nothing.
create table accounts (
    id uuid primary key default gen_random_uuid(),
    clerk_user_id text not null unique check (length(clerk_user_id) between 1 and 200),
    email text not null check (email like '_%@_%'),
    name text not null default '',
    status text not null default 'active' check (status in ('active', 'deleting')),
    deletion_requested_at timestamptz,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    check ((status = 'deleting') = (deletion_requested_at is not null))
);
-- retention: accounts awaiting erasure
create index accounts_deleting_idx on accounts (deletion_requested_at) where status = 'deleting';

select isolate_by_account('accounts', 'id');
-- kloudhub_api creates the account of a new sign-in: inside a transaction
-- scoped to the new id, so WITH CHECK holds.
grant select, insert on accounts to kloudhub_api;
grant update (email, name, updated_at) on accounts to kloudhub_api;
-- scan and deploy need the account, not the person's email or Clerk id.
grant select (id, name, status, deletion_requested_at, created_at, updated_at) on accounts to kloudhub_worker;
grant select, insert, update, delete on accounts to kloudhub_maintenance;

-- MARK: oauth_clients

-- Not account-owned: dynamic client registration (RFC 7591) is anonymous and
-- a client serves every account that consents to it, so no row-level
-- security. The only secret, client_secret_hash (SHA-256 of the secret of a
-- confidential client), is readable by no app role: verify_client_secret()
-- below compares it.
create table oauth_clients (
    client_id text primary key check (length(client_id) between 1 and 512),
    client_name text not null default '',
    registration_kind text not null check (registration_kind in ('dynamic', 'metadata_document')),
    redirect_uris text[] not null check (cardinality(redirect_uris) between 1 and 20),
    grant_types text[] not null default '{authorization_code,refresh_token}',
    token_endpoint_auth_method text not null default 'none'
        check (token_endpoint_auth_method in ('none', 'client_secret_basic', 'client_secret_post')),
    client_secret_hash bytea check (octet_length(client_secret_hash) = 32),
    metadata jsonb not null default '{}' check (jsonb_typeof(metadata) = 'object'),
    metadata_fetched_at timestamptz,
    created_at timestamptz not null default now(),
    last_used_at timestamptz,
    check ((token_endpoint_auth_method = 'none') = (client_secret_hash is null))
);

grant select (client_id, client_name, registration_kind, redirect_uris, grant_types,
        token_endpoint_auth_method, metadata, metadata_fetched_at, created_at, last_used_at)
    on oauth_clients to kloudhub_api, kloudhub_maintenance;
grant insert on oauth_clients to kloudhub_api;
grant update (client_name, redirect_uris, grant_types, metadata, metadata_fetched_at, last_used_at)
    on oauth_clients to kloudhub_api;
grant delete on oauth_clients to kloudhub_maintenance;

-- MARK: oauth_codes

-- Authorization codes: only the SHA-256 of the code is kept (unique across
-- accounts, like key_hash below: guessing a hash of 256 random bits is not an
-- attack); single use
-- (consumed_at), ten minutes at most, PKCE S256 only (the challenge is a
-- base64url SHA-256).
create table oauth_codes (
    id uuid primary key default gen_random_uuid(),
    account_id uuid not null references accounts (id) on delete cascade,
    code_hash bytea not null unique check (octet_length(code_hash) = 32),
    client_id text not null references oauth_clients (client_id) on delete cascade,
    redirect_uri text not null check (length(redirect_uri) between 1 and 2048),
    code_challenge text not null check (code_challenge ~ '^[A-Za-z0-9_-]{43}$'),
    scopes text[] not null default '{}',
    resource text,
    created_at timestamptz not null default now(),
    expires_at timestamptz not null,
    consumed_at timestamptz,
    unique (account_id, id),
    check (expires_at > created_at and expires_at <= created_at + interval '10 minutes')
);
create index oauth_codes_account_idx on oauth_codes (account_id, created_at desc);
-- retention: the sweep deletes expired codes
create index oauth_codes_expires_idx on oauth_codes (expires_at);

select isolate_by_account('oauth_codes');
grant select (id, account_id, client_id, redirect_uri, code_challenge, scopes, resource,
        created_at, expires_at, consumed_at)
    on oauth_codes to kloudhub_api, kloudhub_maintenance;
grant insert on oauth_codes to kloudhub_api;
grant update (consumed_at) on oauth_codes to kloudhub_api;
grant delete on oauth_codes to kloudhub_maintenance;

-- MARK: api_keys

-- API keys and the OAuth tokens issued on the user's behalf (listed together
-- in settings). Only the SHA-256 of a key is kept, with a short display
-- prefix. Revocation is a soft delete (revoked_at); the sweep purges revoked
-- rows after 90 days. Refresh-token rotation: every token of one grant shares
-- family_id; parent_code_id is the code that started the grant, so a reused
-- code revokes what it issued.
create table api_keys (
    id uuid primary key default gen_random_uuid(),
    account_id uuid not null references accounts (id) on delete cascade,
    kind text not null check (kind in ('api', 'oauth_access', 'oauth_refresh')),
    name text not null default '' check (length(name) <= 200),
    key_hash bytea not null unique check (octet_length(key_hash) = 32),
    display_prefix text not null check (length(display_prefix) between 4 and 32),
    scopes text[] not null default '{}',
    client_id text references oauth_clients (client_id) on delete cascade,
    family_id uuid,
    parent_code_id uuid,
    resource text,
    created_at timestamptz not null default now(),
    expires_at timestamptz,
    last_used_at timestamptz,
    revoked_at timestamptz,
    unique (account_id, id),
    foreign key (account_id, parent_code_id) references oauth_codes (account_id, id)
        on delete set null (parent_code_id),
    check ((kind = 'api') = (client_id is null)),
    check (kind = 'api' or (family_id is not null and expires_at is not null))
);
create index api_keys_account_idx on api_keys (account_id, created_at desc);
create index api_keys_family_idx on api_keys (family_id) where family_id is not null;
create index api_keys_parent_code_idx on api_keys (parent_code_id) where parent_code_id is not null;
-- retention: revoked keys purged after 90 days; expired OAuth tokens
create index api_keys_revoked_idx on api_keys (revoked_at) where revoked_at is not null;
create index api_keys_expires_idx on api_keys (expires_at) where expires_at is not null and revoked_at is null;

select isolate_by_account('api_keys');
-- No app role reads key_hash: the lookup by hash goes through find_api_key().
grant select (id, account_id, kind, name, display_prefix, scopes, client_id, family_id, parent_code_id,
        resource, created_at, expires_at, last_used_at, revoked_at)
    on api_keys to kloudhub_api, kloudhub_worker, kloudhub_maintenance;
grant insert on api_keys to kloudhub_api;
grant update (name, last_used_at, revoked_at) on api_keys to kloudhub_api;
grant update (last_used_at) on api_keys to kloudhub_worker;
grant update (revoked_at) on api_keys to kloudhub_maintenance;
grant delete on api_keys to kloudhub_maintenance;

-- MARK: lookups before the account is known

-- A bearer token, an authorization code or a Clerk user id must be resolved
-- to its account before a scoped transaction can start. These SECURITY
-- DEFINER functions do exactly that and nothing more: each takes the
-- presented value (a hash, never a raw secret), matches one row by a unique
-- column, and returns what authentication needs, never the hash. They run as
-- kloudhub_auth, whose only power is a SELECT policy on these three tables;
-- the search path is fixed so a caller's objects cannot stand in for ours.

grant select (id, clerk_user_id, status) on accounts to kloudhub_auth;
grant select (id, account_id, kind, key_hash, scopes, client_id, family_id, resource, expires_at, revoked_at)
    on api_keys to kloudhub_auth;
grant select (id, account_id, code_hash, client_id, redirect_uri, code_challenge, scopes, resource,
        created_at, expires_at, consumed_at)
    on oauth_codes to kloudhub_auth;
grant select (client_id, client_secret_hash) on oauth_clients to kloudhub_auth;
create policy auth_lookup on accounts for select to kloudhub_auth using (true);
create policy auth_lookup on api_keys for select to kloudhub_auth using (true);
create policy auth_lookup on oauth_codes for select to kloudhub_auth using (true);

-- The key (API key or OAuth token) with this SHA-256, with its account's
-- status so a deleting account is refused at once.
create function find_api_key(presented_hash bytea)
    returns table (
        id uuid, account_id uuid, kind text, scopes text[], client_id text, family_id uuid,
        resource text, expires_at timestamptz, revoked_at timestamptz, account_status text)
    language sql stable security definer
    set search_path = pg_catalog, pg_temp
    as $$
        select k.id, k.account_id, k.kind, k.scopes, k.client_id, k.family_id,
               k.resource, k.expires_at, k.revoked_at, a.status
        from kloudhub.api_keys k
        join kloudhub.accounts a on a.id = k.account_id
        where k.key_hash = presented_hash
    $$;

-- The authorization code with this SHA-256. Consuming it (consumed_at) is a
-- conditional UPDATE in a transaction scoped to the returned account.
create function find_authorization_code(presented_hash bytea)
    returns table (
        id uuid, account_id uuid, client_id text, redirect_uri text, code_challenge text,
        scopes text[], resource text, created_at timestamptz, expires_at timestamptz,
        consumed_at timestamptz, account_status text)
    language sql stable security definer
    set search_path = pg_catalog, pg_temp
    as $$
        select c.id, c.account_id, c.client_id, c.redirect_uri, c.code_challenge,
               c.scopes, c.resource, c.created_at, c.expires_at, c.consumed_at, a.status
        from kloudhub.oauth_codes c
        join kloudhub.accounts a on a.id = c.account_id
        where c.code_hash = presented_hash
    $$;

-- The account of a verified Clerk user.
create function find_account_by_clerk_user(presented_clerk_user_id text)
    returns table (id uuid, status text)
    language sql stable security definer
    set search_path = pg_catalog, pg_temp
    as $$
        select a.id, a.status from kloudhub.accounts a where a.clerk_user_id = presented_clerk_user_id
    $$;

-- Whether a confidential client presented its secret (compared as SHA-256).
create function verify_client_secret(presented_client_id text, presented_hash bytea)
    returns boolean
    language sql stable security definer
    set search_path = pg_catalog, pg_temp
    as $$
        select coalesce(
            (select c.client_secret_hash = presented_hash
             from kloudhub.oauth_clients c where c.client_id = presented_client_id),
            false)
    $$;

alter function find_api_key(bytea) owner to kloudhub_auth;
alter function find_authorization_code(bytea) owner to kloudhub_auth;
alter function find_account_by_clerk_user(text) owner to kloudhub_auth;
alter function verify_client_secret(text, bytea) owner to kloudhub_auth;
revoke all on function find_api_key(bytea), find_authorization_code(bytea),
    find_account_by_clerk_user(text), verify_client_secret(text, bytea) from public;
-- Every function authenticates its callers (API keys, Clerk sessions); only
-- the token endpoint (kloudhub_api) redeems codes and checks client secrets.
grant execute on function find_api_key(bytea), find_account_by_clerk_user(text)
    to kloudhub_api, kloudhub_worker, kloudhub_maintenance;
grant execute on function find_authorization_code(bytea), verify_client_secret(text, bytea)
    to kloudhub_api;
