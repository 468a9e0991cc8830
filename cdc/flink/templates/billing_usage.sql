-- billing_usage for the distributed deployment: the same totals as cdc.billing (cdc/usage_totals.py).
-- Reads db.usage (usage_records inserts, as plain JSON rows with their `op`), counts each record once
-- by its id (the action's idempotency key; the relay and Debezium are at-least-once), and keeps
-- hourly, daily and monthly (UTC) totals per tenant, metric and subject of the record's occurred_ms
-- (the writing transaction's time on the database clock). Sums are DECIMAL(38, 0), so they cannot
-- overflow; storage_bytes is a gauge and keeps its peak. The result is upserted into PostgreSQL's
-- billing_usage by its primary key. Deduplication state expires after the state TTL (two months).

SET 'table.exec.state.ttl' = '5356800000 ms';
SET 'table.local-time-zone' = 'UTC';

CREATE TABLE usage_events (
  `after` ROW<id STRING, tenant_id STRING, metric STRING, subject STRING, quantity BIGINT, occurred_ms BIGINT>,
  `op` STRING,
  proc_time AS PROCTIME()
) WITH (${usage_events});

CREATE VIEW usage_rows AS
SELECT `after`.id AS id, `after`.tenant_id AS tenant_id, `after`.metric AS metric,
       COALESCE(`after`.subject, '') AS subject, `after`.quantity AS quantity,
       `after`.occurred_ms AS occurred_ms, proc_time
FROM usage_events
WHERE `op` IN ('c', 'r') AND `after`.id IS NOT NULL AND `after`.tenant_id IS NOT NULL
  AND `after`.metric IS NOT NULL AND `after`.occurred_ms IS NOT NULL
  AND `after`.quantity BETWEEN 0 AND 9007199254740991;

CREATE VIEW unique_usage AS
SELECT tenant_id, metric, subject, quantity, occurred_ms
FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY id ORDER BY proc_time ASC) AS row_num
  FROM usage_rows
)
WHERE row_num = 1;

CREATE VIEW usage_windows AS
SELECT tenant_id, metric, subject, CAST('hour' AS STRING) AS granularity,
       occurred_ms - MOD(occurred_ms, 3600000) AS window_start_ms, quantity
FROM unique_usage
UNION ALL
SELECT tenant_id, metric, subject, CAST('day' AS STRING), occurred_ms - MOD(occurred_ms, 86400000), quantity
FROM unique_usage
UNION ALL
SELECT tenant_id, metric, subject, CAST('month' AS STRING),
       UNIX_TIMESTAMP(DATE_FORMAT(TO_TIMESTAMP_LTZ(occurred_ms, 3), 'yyyy-MM-01 00:00:00')) * 1000, quantity
FROM unique_usage;

CREATE VIEW billing_usage_view AS
SELECT
  tenant_id,
  metric,
  subject,
  granularity,
  window_start_ms,
  CASE WHEN metric = 'storage_bytes' THEN CAST(MAX(quantity) AS DECIMAL(38, 0))
       ELSE SUM(CAST(quantity AS DECIMAL(38, 0))) END AS quantity,
  COUNT(*) AS events
FROM usage_windows
GROUP BY tenant_id, metric, subject, granularity, window_start_ms;

CREATE TABLE billing_usage (
  tenant_id STRING,
  metric STRING,
  subject STRING,
  granularity STRING,
  window_start_ms BIGINT,
  quantity DECIMAL(38, 0),
  events BIGINT,
  updated_at TIMESTAMP(3),
  PRIMARY KEY (tenant_id, metric, subject, granularity, window_start_ms) NOT ENFORCED
) WITH (${billing_usage});

INSERT INTO billing_usage SELECT *, CAST(CURRENT_TIMESTAMP AS TIMESTAMP(3)) FROM billing_usage_view;
