# Answers kept from SALESmanago: the sites' ignored e-mail domains, the records' status
# "quarantined" and the past-answers exports' count of them.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('wagtail_salesmanago', '0005_delivery_pause'),
    ]

    operations = [
        migrations.AddField(
            model_name='exportrun',
            name='quarantined',
            field=models.PositiveIntegerField(default=0, verbose_name='quarantined'),
        ),
        migrations.AddField(
            model_name='salesmanagosettings',
            name='ignored_domains',
            field=models.TextField(blank=True, help_text='One domain per line, e.g. mailinator.com. An answer by an e-mail at one of them (or at a subdomain) is stored and listed as quarantined, never sent unless staff send it anyway from the deliveries log.', verbose_name='ignored e-mail domains'),
        ),
        migrations.AlterField(
            model_name='exportrecord',
            name='status',
            field=models.CharField(choices=[('pending', 'pending'), ('retrying', 'retrying'), ('sent', 'sent'), ('failed', 'failed'), ('skipped', 'skipped'), ('held', 'on hold'), ('throttled', 'throttled'), ('quarantined', 'quarantined')], db_index=True, default='pending', max_length=16, verbose_name='status'),
        ),
    ]
