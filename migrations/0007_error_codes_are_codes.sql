-- Error codes are codes, never messages: the MCP tools and the API show them as they are, so
-- a worker that wrote a log line (which may hold a key) into one would publish it. Found by
-- the MCP secret canary (PP-mcp-data). AWS's codes fit: AccessDenied,
-- Client.UnauthorizedOperation, terraform_apply_failed.

set local search_path = kloudhub, pg_catalog;

alter table cloud_accounts add constraint cloud_accounts_last_error_code_is_a_code
    check (last_error_code ~ '^[A-Za-z][A-Za-z0-9_.:-]{0,99}$');
alter table deployments add constraint deployments_error_code_is_a_code
    check (error_code ~ '^[A-Za-z][A-Za-z0-9_.:-]{0,99}$');
alter table scans add constraint scans_error_code_is_a_code
    check (error_code ~ '^[A-Za-z][A-Za-z0-9_.:-]{0,99}$');
alter table analyses add constraint analyses_error_code_is_a_code
    check (error_code ~ '^[A-Za-z][A-Za-z0-9_.:-]{0,99}$');
alter table notifications add constraint notifications_last_error_code_is_a_code
    check (last_error_code ~ '^[A-Za-z][A-Za-z0-9_.:-]{0,99}$');
