-- The retention sweep deletes a large backlog page range by page range (issue 8's benchmark:
-- within 1.5x of one bare DELETE). A range of pages is selected by ctid, which needs
-- table-level SELECT, and the maintenance role may not read key_hash or code hashes. So the
-- ranged delete runs in a SECURITY DEFINER function, limited to the retention rules' tables
-- and columns, that only the maintenance role may call. Its owner, the migration role, needs a
-- policy to see the rows under FORCE ROW LEVEL SECURITY; it owns the tables and could always
-- turn row security off, so the policy grants it nothing new.

set local search_path = kloudhub, pg_catalog;

create policy retention_purge on api_keys for all to current_user using (true) with check (true);
create policy retention_purge on oauth_codes for all to current_user using (true) with check (true);

-- Deletes the rows of pages [first_page, end_page) whose moment_column is at or before cutoff
-- (and, with only_unrevoked, that were never revoked); returns how many.
create function purge_page_range(
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
                                       ('oauth_codes', 'expires_at')) then
        raise exception 'purge_page_range: % % is not a retention rule', target, moment_column;
    end if;
    execute format(
        'delete from kloudhub.%I where ctid >= $1 and ctid < $2 and %I <= $3%s',
        target, moment_column, case when only_unrevoked then ' and revoked_at is null' else '' end)
        using format('(%s,0)', first_page)::tid, format('(%s,0)', end_page)::tid, cutoff;
    get diagnostics deleted = row_count;
    return deleted;
end $$;
revoke all on function purge_page_range(text, text, timestamptz, bigint, bigint, boolean) from public;
grant execute on function purge_page_range(text, text, timestamptz, bigint, bigint, boolean) to kloudhub_maintenance;
