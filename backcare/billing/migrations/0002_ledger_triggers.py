"""The database keeps the ledger's promises on PostgreSQL: an invoice's subtotal and tax equal
the sums of its lines when its transaction commits (a deferred constraint trigger), and no
invoice, line, payment, credit use or package is ever deleted. On SQLite both are left to the
actions and the models' guards, because Django's test-database flush empties tables with
DELETE there (PostgreSQL flushes with TRUNCATE, which these triggers do not see)."""

from typing import Any

from django.db import migrations

LEDGER_TABLES = (
    "billing_invoice",
    "billing_invoiceline",
    "billing_payment",
    "billing_credituse",
    "billing_package",
    "billing_giftcard",
    "billing_dayclose",
)

POSTGRES_FORWARD = """
CREATE OR REPLACE FUNCTION billing_invoice_equals_lines() RETURNS trigger AS $$
DECLARE
    the_invoice bigint;
    lines_net bigint;
    lines_tax bigint;
BEGIN
    IF TG_TABLE_NAME = 'billing_invoice' THEN
        the_invoice := NEW.id;
    ELSE
        the_invoice := NEW.invoice_id;
    END IF;
    SELECT COALESCE(SUM(net_cents), 0), COALESCE(SUM(tax_cents), 0)
        INTO lines_net, lines_tax FROM billing_invoiceline WHERE invoice_id = the_invoice;
    IF EXISTS (
        SELECT 1 FROM billing_invoice
        WHERE id = the_invoice AND (subtotal_cents <> lines_net OR tax_cents <> lines_tax)
    ) THEN
        RAISE EXCEPTION 'invoice % does not equal the sum of its lines', the_invoice;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE CONSTRAINT TRIGGER billing_invoice_equals_lines
    AFTER INSERT OR UPDATE ON billing_invoice DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION billing_invoice_equals_lines();
CREATE CONSTRAINT TRIGGER billing_invoiceline_equals_lines
    AFTER INSERT OR UPDATE ON billing_invoiceline DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION billing_invoice_equals_lines();
CREATE OR REPLACE FUNCTION billing_refuse_delete() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'ledger records are never deleted: void them with a credit note';
END;
$$ LANGUAGE plpgsql;
"""


def forward(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(POSTGRES_FORWARD, params=None)
    for table in LEDGER_TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION billing_refuse_delete();"
        )


def backward(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in LEDGER_TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete ON {table};")
    schema_editor.execute(
        "DROP TRIGGER IF EXISTS billing_invoice_equals_lines ON billing_invoice;"
        "DROP TRIGGER IF EXISTS billing_invoiceline_equals_lines ON billing_invoiceline;"
        "DROP FUNCTION IF EXISTS billing_invoice_equals_lines();"
        "DROP FUNCTION IF EXISTS billing_refuse_delete();"
    )


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
