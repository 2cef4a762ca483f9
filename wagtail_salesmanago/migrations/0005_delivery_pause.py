# SALESmanago asking for fewer calls (HTTP 429, or 503 with Retry-After): the records' status
# "throttled" and the sites' pauses.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('wagtail_salesmanago', '0004_report_indexes'),
        ('wagtailcore', '0002_initial_data'),
    ]

    operations = [
        migrations.AlterField(
            model_name='exportrecord',
            name='status',
            field=models.CharField(choices=[('pending', 'pending'), ('retrying', 'retrying'), ('sent', 'sent'), ('failed', 'failed'), ('skipped', 'skipped'), ('held', 'on hold'), ('throttled', 'throttled')], db_index=True, default='pending', max_length=16, verbose_name='status'),
        ),
        migrations.CreateModel(
            name='DeliveryPause',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('until', models.DateTimeField(verbose_name='paused until')),
                ('site', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='wagtailcore.site', verbose_name='site')),
            ],
            options={
                'verbose_name': 'SALESmanago delivery pause',
                'verbose_name_plural': 'SALESmanago delivery pauses',
            },
        ),
    ]
