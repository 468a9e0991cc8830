-- billing.usage for the distributed deployment: the same windows as cdc.billing.UsageWindows.
-- Billing counts change *events* (an upload stays billed after the document is deleted), so the
-- envelopes are read as plain JSON rows with their `op`, not as a debezium-json changelog, where a
-- delete would retract the upload. Windows are tumbling on the commit time (source.ts_ms) and named
-- "<tenant>/<window start ms>" exactly like the Python processor; a change delivered twice (the relay
-- is at-least-once) is counted once (deduplicated on database/table/lsn/row id).
-- The result is an upsert stream per window: consumers keep the latest record per window_id.
-- State (deduplication and open windows) expires after the retention, like the Python processor's.

SET 'table.exec.state.ttl' = '${state_ttl_ms} ms';

CREATE TABLE knowledge_events (
  `before` ROW<id STRING, tenant_id STRING, parse_status STRING, file_size BIGINT, chunk_count BIGINT, version INT>,
  `after` ROW<id STRING, tenant_id STRING, parse_status STRING, file_size BIGINT, chunk_count BIGINT, version INT>,
  `op` STRING,
  `source` ROW<db STRING, `table` STRING, lsn BIGINT, ts_ms BIGINT>,
  proc_time AS PROCTIME()
) WITH (${knowledge_events});

CREATE TABLE message_events (
  `after` ROW<id STRING, tenant_id STRING>,
  `op` STRING,
  `source` ROW<db STRING, `table` STRING, lsn BIGINT, ts_ms BIGINT>,
  proc_time AS PROCTIME()
) WITH (${message_events});

CREATE VIEW usage_deltas AS
SELECT
  COALESCE(`after`.tenant_id, `before`.tenant_id) AS tenant_id,
  CONCAT(`source`.db, '/knowledges/', CAST(`source`.lsn AS STRING), '/', COALESCE(`after`.id, `before`.id)) AS change_id,
  `source`.ts_ms AS ts_ms,
  proc_time,
  CAST(CASE WHEN `op` = 'c' THEN 1 ELSE 0 END AS BIGINT) AS documents_uploaded,
  CAST(CASE
    WHEN `op` = 'c' THEN COALESCE(`after`.file_size, 0)
    WHEN `op` = 'u' THEN COALESCE(`after`.file_size, 0) - COALESCE(`before`.file_size, 0)
    WHEN `op` = 'd' THEN -COALESCE(`before`.file_size, 0)
    ELSE 0 END AS BIGINT) AS bytes_stored,
  CAST(CASE
    WHEN UPPER(`after`.parse_status) = 'COMPLETED' AND (`op` = 'c' OR (`op` = 'u' AND (
      UPPER(COALESCE(`before`.parse_status, '')) <> 'COMPLETED'
      OR COALESCE(`before`.version, 0) <> COALESCE(`after`.version, 0))))
    THEN COALESCE(`after`.chunk_count, 0) ELSE 0 END AS BIGINT) AS chunks_indexed,
  CAST(0 AS BIGINT) AS chat_messages
FROM knowledge_events
WHERE `op` IN ('c', 'u', 'd')
UNION ALL
SELECT
  `after`.tenant_id,
  CONCAT(`source`.db, '/messages/', CAST(`source`.lsn AS STRING), '/', `after`.id),
  `source`.ts_ms,
  proc_time,
  CAST(0 AS BIGINT), CAST(0 AS BIGINT), CAST(0 AS BIGINT), CAST(1 AS BIGINT)
FROM message_events
WHERE `op` = 'c';

CREATE VIEW unique_deltas AS
SELECT tenant_id, ts_ms - MOD(ts_ms, ${window_ms}) AS window_start_ms,
       documents_uploaded, bytes_stored, chunks_indexed, chat_messages
FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY change_id ORDER BY proc_time ASC) AS row_num
  FROM usage_deltas
  WHERE tenant_id IS NOT NULL
)
WHERE row_num = 1
  AND (documents_uploaded <> 0 OR bytes_stored <> 0 OR chunks_indexed <> 0 OR chat_messages <> 0);

CREATE VIEW billing_usage_view AS
SELECT
  CONCAT(tenant_id, '/', CAST(window_start_ms AS STRING)) AS window_id,
  1 AS schema_version,
  tenant_id,
  window_start_ms,
  window_start_ms + ${window_ms} AS window_end_ms,
  SUM(documents_uploaded) AS documents_uploaded,
  SUM(bytes_stored) AS bytes_stored,
  SUM(chunks_indexed) AS chunks_indexed,
  SUM(chat_messages) AS chat_messages
FROM unique_deltas
GROUP BY tenant_id, window_start_ms;

CREATE TABLE billing_usage (
  window_id STRING,
  schema_version INT,
  tenant_id STRING,
  window_start_ms BIGINT,
  window_end_ms BIGINT,
  documents_uploaded BIGINT,
  bytes_stored BIGINT,
  chunks_indexed BIGINT,
  chat_messages BIGINT,
  PRIMARY KEY (window_id) NOT ENFORCED
) WITH (${billing_usage});

INSERT INTO billing_usage SELECT * FROM billing_usage_view;
