"""Usage metering, plans and limits.

Billable actions add a row to ``usage_records`` in their own transaction (:func:`record_usage`);
cdc/billing.py folds those rows (as ``db.usage`` change events) into hourly, daily and monthly
totals in ``billing_usage``; plans set monthly limits and unit prices; :mod:`.limits` refuses new
work once a hard limit is reached.
"""

from .meters import GAUGES, Metric, month_of, period_bounds
from .record import Usage, record_usage, record_usages

__all__ = ["GAUGES", "Metric", "Usage", "month_of", "period_bounds", "record_usage", "record_usages"]
