"""The front desk's blank questionnaire (issue 11): ``Intake.desk_blank``. Every existing
questionnaire is left unmarked, so none is open to the front desk."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="intake",
            name="desk_blank",
            field=models.BooleanField(default=False),
        ),
    ]
