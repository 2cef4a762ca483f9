# Retention (issue 27): a form's own retention of the answers in its deliveries.

import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('survey', '0006_salesmanago_rules'),
    ]

    operations = [
        migrations.AddField(
            model_name='surveypage',
            name='salesmanago_retention_days',
            field=models.PositiveIntegerField(blank=True, help_text="For this form only: after that many days the answers are removed from its deliveries. Empty: the site's setting (Settings > SALESmanago).", null=True, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(36500)], verbose_name='Keep the answers in deliveries for (days)'),
        ),
    ]
