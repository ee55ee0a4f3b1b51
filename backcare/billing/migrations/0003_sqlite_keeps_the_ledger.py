"""SQLite keeps the ledger's promises too (PostgreSQL has since migration 0002): no invoice,
line, payment, credit use, package, gift card or day-end close is ever deleted, and an
invoice's subtotal and tax are the sums of its lines.

SQLite has no deferred triggers, so the sums are checked at each write, in the order the
issuing action writes: the invoice is inserted with nothing on it, its lines are added while
its totals are still nothing, and then its totals are set, which must equal the lines. A line is
never changed or moved to another invoice. The tests empty their SQLite database past the
DELETE triggers (``tests/flush.py``); nothing else may.
"""

from importlib import import_module

from django.db import migrations

from backcare.vendor_sql import run_sql_by_vendor

LEDGER_TABLES = import_module("backcare.billing.migrations.0002_ledger_triggers").LEDGER_TABLES
DIFFERS = "an invoice must equal the sum of its lines"
LINES_SUM = "(SELECT COALESCE(SUM({column}), 0) FROM billing_invoiceline WHERE invoice_id = NEW.id)"

SQLITE_FORWARD = [
    *(
        f"""
CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}
BEGIN
    SELECT RAISE(ABORT, 'ledger records are never deleted: void them with a credit note');
END;
"""
        for table in LEDGER_TABLES
    ),
    f"""
CREATE TRIGGER billing_invoice_starts_empty AFTER INSERT ON billing_invoice
WHEN NEW.subtotal_cents <> 0 OR NEW.tax_cents <> 0
BEGIN
    SELECT RAISE(ABORT, '{DIFFERS}');
END;
""",
    f"""
CREATE TRIGGER billing_invoice_equals_lines AFTER UPDATE OF subtotal_cents, tax_cents
ON billing_invoice
WHEN NEW.subtotal_cents <> {LINES_SUM.format(column="net_cents")}
    OR NEW.tax_cents <> {LINES_SUM.format(column="tax_cents")}
BEGIN
    SELECT RAISE(ABORT, '{DIFFERS}');
END;
""",
    f"""
CREATE TRIGGER billing_invoiceline_while_issuing AFTER INSERT ON billing_invoiceline
WHEN EXISTS (
    SELECT 1 FROM billing_invoice
    WHERE id = NEW.invoice_id
        AND (subtotal_cents <> 0 OR tax_cents <> 0 OR paid_cents <> 0 OR status = 'paid')
)
BEGIN
    SELECT RAISE(ABORT, '{DIFFERS}');
END;
""",
    f"""
CREATE TRIGGER billing_invoiceline_fixed BEFORE UPDATE OF invoice_id, net_cents, tax_cents
ON billing_invoiceline
BEGIN
    SELECT RAISE(ABORT, '{DIFFERS}');
END;
""",
]
SQLITE_BACKWARD = [
    *(f"DROP TRIGGER IF EXISTS {table}_no_delete" for table in LEDGER_TABLES),
    "DROP TRIGGER IF EXISTS billing_invoice_starts_empty",
    "DROP TRIGGER IF EXISTS billing_invoice_equals_lines",
    "DROP TRIGGER IF EXISTS billing_invoiceline_while_issuing",
    "DROP TRIGGER IF EXISTS billing_invoiceline_fixed",
]



class Migration(migrations.Migration):
    dependencies = [("billing", "0002_ledger_triggers")]
    operations = [run_sql_by_vendor(sqlite=SQLITE_FORWARD, sqlite_back=SQLITE_BACKWARD)]
