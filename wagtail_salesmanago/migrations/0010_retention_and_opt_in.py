# Retention and opt-in callbacks (issue 27): how long deliveries keep their answers, when they were removed, and the contact's opt-in as SALESmanago last told; an export run counts skipped answers.

import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('wagtail_salesmanago', '0009_export_rules'),
    ]

    operations = [
        migrations.AddField(
            model_name='exportrecord',
            name='opt_in_changed_at',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='opt-in changed'),
        ),
        migrations.AddField(
            model_name='exportrecord',
            name='opt_in_state',
            field=models.CharField(blank=True, choices=[('', 'not known'), ('confirmed', 'confirmed'), ('opted_out', 'unsubscribed')], default='', editable=False, max_length=16, verbose_name='opt-in as last known'),
        ),
        migrations.AddField(
            model_name='exportrecord',
            name='redacted_at',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='answers removed'),
        ),
        migrations.AddField(
            model_name='salesmanagosettings',
            name='retention_days',
            field=models.PositiveIntegerField(blank=True, help_text="After that many days, salesmanago_retention removes the answers from every delivery of this site's forms (e-mail, values, IP address, what was sent), whatever its state; the status, dates, form and SALESmanago's contact ID stay. A form may set its own. Empty: keep them.", null=True, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(36500)], verbose_name='Keep the answers in deliveries for (days)'),
        ),
        migrations.AlterField(
            model_name='exportrun',
            name='skipped',
            field=models.PositiveIntegerField(default=0, verbose_name='skipped'),
        ),
    ]
