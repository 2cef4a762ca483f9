# Erasure (issue 27): a person's erasure and its deletion in SALESmanago, and the permission to erase.

import django.db.models.deletion
import wagtail_salesmanago.stored_messages
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('wagtail_salesmanago', '0010_retention_and_opt_in'),
        ('wagtailcore', '0002_initial_data'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='exportrecord',
            options={'ordering': ['-created_at', '-pk'], 'permissions': [('erase_person', "Can erase a person's deliveries")], 'verbose_name': 'SALESmanago delivery', 'verbose_name_plural': 'SALESmanago deliveries'},
        ),
        migrations.CreateModel(
            name='ErasureRequest',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('requested_at', models.DateTimeField(auto_now_add=True, verbose_name='requested')),
                ('requested_by', models.CharField(blank=True, max_length=150, verbose_name='requested by')),
                ('records_erased', models.PositiveIntegerField(default=0, verbose_name='deliveries erased')),
                ('in_salesmanago', models.BooleanField(default=False, verbose_name='delete in SALESmanago')),
                ('permanently', models.BooleanField(default=False, verbose_name='permanently')),
                ('status', models.CharField(choices=[('done', 'done'), ('pending', 'waiting for SALESmanago'), ('failed', 'failed')], default='done', max_length=16, verbose_name='status')),
                ('attempts', models.PositiveIntegerField(default=0, verbose_name='attempts')),
                ('next_attempt_at', models.DateTimeField(blank=True, editable=False, null=True)),
                ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='finished')),
                ('message', wagtail_salesmanago.stored_messages.MessageField(blank=True, verbose_name='outcome')),
                ('email', models.CharField(blank=True, editable=False, max_length=254)),
                ('site', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='wagtailcore.site', verbose_name='site')),
            ],
            options={
                'verbose_name': 'erasure',
                'verbose_name_plural': 'erasures',
                'ordering': ['-requested_at', '-pk'],
            },
        ),
    ]
