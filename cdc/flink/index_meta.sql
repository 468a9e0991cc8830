-- Generated from templates/index_meta.sql by `python -m cdc.flink`; edit the template, not this file.
-- index.meta for the distributed deployment: the same records as cdc.index_meta.IndexMetaMaterializer.
-- Source: Debezium change events of the knowledges table (a changelog: c/r insert, u update, d delete).
-- Sink: upsert-kafka keyed by knowledge id; a deleted knowledge becomes a tombstone.

CREATE TABLE knowledges_changes (
  id STRING,
  tenant_id STRING,
  knowledge_base_id STRING,
  parse_status STRING,
  enable_status STRING,
  acl_principals ARRAY<STRING>,
  version INT
) WITH ('connector' = 'kafka', 'topic' = 'db.knowledges', 'properties.bootstrap.servers' = 'kafka:9092', 'properties.group.id' = 'jisik.flink.index-meta', 'scan.startup.mode' = 'group-offsets', 'properties.auto.offset.reset' = 'earliest', 'format' = 'debezium-json', 'debezium-json.ignore-parse-errors' = 'true');

CREATE VIEW index_meta_view AS
SELECT
  id AS knowledge_id,
  1 AS schema_version,
  tenant_id,
  knowledge_base_id,
  LOWER(parse_status) AS parse_status,
  COALESCE(enable_status, 'enabled') = 'enabled' AS enabled,
  acl_principals,
  COALESCE(version, 1) AS version,
  FALSE AS deleted
FROM knowledges_changes;

CREATE TABLE index_meta (
  knowledge_id STRING,
  schema_version INT,
  tenant_id STRING,
  knowledge_base_id STRING,
  parse_status STRING,
  enabled BOOLEAN,
  acl_principals ARRAY<STRING>,
  version INT,
  deleted BOOLEAN,
  PRIMARY KEY (knowledge_id) NOT ENFORCED
) WITH ('connector' = 'upsert-kafka', 'topic' = 'index.meta', 'properties.bootstrap.servers' = 'kafka:9092', 'key.format' = 'raw', 'value.format' = 'json', 'value.fields-include' = 'ALL');

INSERT INTO index_meta SELECT * FROM index_meta_view;
