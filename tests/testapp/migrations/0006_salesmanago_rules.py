# Export rules (issue 26): when the answers are sent, and the page's copy of its rules.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('testapp', '0005_salesmanago_tags_and_sms_consent'),
    ]

    operations = [
        migrations.AddField(
            model_name='customsubmissionpage',
            name='salesmanago_rules_mode',
            field=models.CharField(choices=[('all', 'all rules are met'), ('any', 'any rule is met')], default='all', help_text='With rules below, an answer goes to SALESmanago only when they allow it; one they stop is stored and listed as skipped by a rule. No rules: every answer goes.', max_length=8, verbose_name='Send the answers when'),
        ),
        migrations.AddField(
            model_name='customsubmissionpage',
            name='salesmanago_rules_snapshot',
            field=models.JSONField(blank=True, default=list, editable=False),
        ),
        migrations.AddField(
            model_name='legacyfieldspage',
            name='salesmanago_rules_mode',
            field=models.CharField(choices=[('all', 'all rules are met'), ('any', 'any rule is met')], default='all', help_text='With rules below, an answer goes to SALESmanago only when they allow it; one they stop is stored and listed as skipped by a rule. No rules: every answer goes.', max_length=8, verbose_name='Send the answers when'),
        ),
        migrations.AddField(
            model_name='legacyfieldspage',
            name='salesmanago_rules_snapshot',
            field=models.JSONField(blank=True, default=list, editable=False),
        ),
        migrations.AddField(
            model_name='plainformpage',
            name='salesmanago_rules_mode',
            field=models.CharField(choices=[('all', 'all rules are met'), ('any', 'any rule is met')], default='all', help_text='With rules below, an answer goes to SALESmanago only when they allow it; one they stop is stored and listed as skipped by a rule. No rules: every answer goes.', max_length=8, verbose_name='Send the answers when'),
        ),
        migrations.AddField(
            model_name='plainformpage',
            name='salesmanago_rules_snapshot',
            field=models.JSONField(blank=True, default=list, editable=False),
        ),
        migrations.AddField(
            model_name='selfstoringpage',
            name='salesmanago_rules_mode',
            field=models.CharField(choices=[('all', 'all rules are met'), ('any', 'any rule is met')], default='all', help_text='With rules below, an answer goes to SALESmanago only when they allow it; one they stop is stored and listed as skipped by a rule. No rules: every answer goes.', max_length=8, verbose_name='Send the answers when'),
        ),
        migrations.AddField(
            model_name='selfstoringpage',
            name='salesmanago_rules_snapshot',
            field=models.JSONField(blank=True, default=list, editable=False),
        ),
        migrations.AddField(
            model_name='surveypage',
            name='salesmanago_rules_mode',
            field=models.CharField(choices=[('all', 'all rules are met'), ('any', 'any rule is met')], default='all', help_text='With rules below, an answer goes to SALESmanago only when they allow it; one they stop is stored and listed as skipped by a rule. No rules: every answer goes.', max_length=8, verbose_name='Send the answers when'),
        ),
        migrations.AddField(
            model_name='surveypage',
            name='salesmanago_rules_snapshot',
            field=models.JSONField(blank=True, default=list, editable=False),
        ),
    ]
