-- Row-level security applies a query's own conditions after the policy's unless their operators
-- are leakproof, and numeric comparisons are not: a page cursor or a minimum on monthly_cost
-- filtered every row before the page instead of bounding the index scan (a page in the middle
-- of 10,000 resources read 5,000 rows, 4-6 ms against 0.3 ms for the first page). The cost as
-- whole ten-thousandths of a dollar in a bigint (exact for numeric(14, 4)) has leakproof
-- comparisons, so the (account, scan, cost, id) index now bounds every page.

set local search_path = kloudhub, pg_catalog;

alter table resources add column monthly_cost_units bigint
    generated always as ((monthly_cost * 10000)::bigint) stored;
drop index resources_scan_cost_idx;
create index resources_scan_cost_idx on resources (account_id, scan_id, monthly_cost_units desc, id desc);

-- An amount in ten-thousandths: rounded up for a lower bound (a minimum of 0.00005 still excludes
-- 0), to the nearest for a cursor (written from a stored cost), clamped to bigint; NULL stays NULL.
create function cost_units(amount numeric, is_lower_bound boolean) returns bigint
    language sql immutable parallel safe
    as $$
        -- least and greatest skip a NULL: an absent amount must stay NULL.
        select case when amount is not null then
            greatest(least(case when is_lower_bound then ceil(amount * 10000) else round(amount * 10000) end,
                           9223372036854775807), -9223372036854775808)::bigint end
    $$;
grant execute on function cost_units(numeric, boolean) to kloudhub_api, kloudhub_worker;

create or replace function resource_page(
    only_cloud_account uuid, only_region text, only_type text, minimum_cost numeric,
    after_cost numeric, after_id uuid, page_size bigint)
    returns table (
        id uuid, cloud_account_id uuid, arn text, resource_type text, name text, region text,
        monthly_cost numeric, last_seen_at timestamptz, tag_keys text[], tag_values text[])
    language plpgsql stable
    set search_path = pg_catalog, pg_temp
    as $$
    begin
        return query
            select r.id, r.cloud_account_id, r.arn, r.resource_type, r.name, r.region, r.monthly_cost,
                   r.last_seen_at, string_tags.tag_keys, string_tags.tag_values
            from kloudhub.cloud_accounts c
            cross join lateral (
                select s.id, s.cloud_account_id, s.arn, s.resource_type, s.name, s.region, s.monthly_cost,
                       s.last_seen_at, s.tags
                from kloudhub.resources s
                where s.scan_id = c.latest_scan_id
                  and (only_region is null or s.region = only_region)
                  and (only_type is null or s.resource_type = only_type)
                  and s.monthly_cost_units >= coalesce(kloudhub.cost_units(minimum_cost, true), 0)
                  and (s.monthly_cost_units, s.id)
                      < (coalesce(kloudhub.cost_units(after_cost, false), 9223372036854775807),
                         coalesce(after_id, 'ffffffff-ffff-ffff-ffff-ffffffffffff'))
                order by s.monthly_cost_units desc, s.id desc
                limit page_size) r
            cross join lateral (
                select coalesce(array_agg(t.key order by t.key), '{}') as tag_keys,
                       coalesce(array_agg(t.value #>> '{}' order by t.key), '{}') as tag_values
                from jsonb_each(r.tags) t
                where jsonb_typeof(t.value) = 'string') string_tags
            where c.latest_scan_id is not null
              and (only_cloud_account is null or c.id = only_cloud_account)
            order by r.monthly_cost desc, r.id desc
            limit page_size;
    end
    $$;
