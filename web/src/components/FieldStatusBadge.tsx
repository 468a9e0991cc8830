import type { FieldStatus } from "../api/types";
import { useI18n } from "../i18n";

export function FieldStatusBadge({ status }: { status: FieldStatus }) {
  const { t } = useI18n();
  return (
    <span className={`badge field-${status}`} data-testid="field-status" data-status={status}>
      {t(`fields.status.${status}`)}
    </span>
  );
}
