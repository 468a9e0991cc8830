// Consumer group lag per ingest stage with its Burrow-style status (OK / WARN / STALL / STOP).
import type { IngestLag } from "../api/types";
import { useI18n } from "../i18n";

export function ConsumerGroups({ groups }: { groups: IngestLag[string] | undefined }) {
  const { t } = useI18n();
  if (!groups || typeof groups === "number" || Object.keys(groups).length === 0) return null;
  return (
    <table className="docs" data-testid="consumer-groups">
      <thead>
        <tr>
          <th>{t("settings.lagGroup")}</th>
          <th>{t("settings.lagStatus")}</th>
          <th className="num">{t("settings.lagRecords")}</th>
          <th className="num">{t("settings.lagSeconds")}</th>
        </tr>
      </thead>
      <tbody>
        {Object.entries(groups).map(([stage, group]) => (
          <tr key={stage}>
            <td>{stage}</td>
            <td className={`lag-${group.status.toLowerCase()}`}>{group.status}</td>
            <td className="num">{group.lag_records}</td>
            <td className="num">{group.lag_seconds.toFixed(1)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
