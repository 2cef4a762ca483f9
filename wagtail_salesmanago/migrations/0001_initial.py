import django.db.models.deletion
from django.db import migrations, models

from wagtail_salesmanago.compat import PAGE_MODEL


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('wagtailcore', '0002_initial_data'),
    ]

    operations = [
        migrations.CreateModel(
            name='ExportRecord',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('submission_id', models.CharField(db_index=True, max_length=64)),
                ('status', models.CharField(choices=[('pending', 'pending'), ('retrying', 'retrying'), ('sent', 'sent'), ('failed', 'failed'), ('skipped', 'skipped')], db_index=True, default='pending', max_length=16, verbose_name='status')),
                ('mode', models.CharField(blank=True, choices=[('', 'none'), ('upsert', 'upsert by e-mail'), ('update', 'update by contact ID')], max_length=16, verbose_name='mode')),
                ('email', models.CharField(blank=True, max_length=254, verbose_name='contact e-mail')),
                ('contact_id', models.CharField(blank=True, max_length=36, verbose_name='contact ID from the link')),
                ('salesmanago_contact_id', models.CharField(blank=True, max_length=64, verbose_name='SALESmanago contact ID')),
                ('payload', models.JSONField(default=dict, help_text='What is (or was) sent, without the authentication fields.', verbose_name='payload')),
                ('notes', models.TextField(blank=True, verbose_name='notes')),
                ('last_error', models.TextField(blank=True, verbose_name='last error')),
                ('attempts', models.PositiveIntegerField(default=0, verbose_name='attempts')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                ('sent_at', models.DateTimeField(blank=True, null=True, verbose_name='sent')),
                ('next_attempt_at', models.DateTimeField(blank=True, db_index=True, null=True, verbose_name='next attempt')),
                ('claimed_until', models.DateTimeField(blank=True, editable=False, null=True)),
                ('page', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=PAGE_MODEL, verbose_name='form page')),
                ('submission_type', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='contenttypes.contenttype')),
            ],
            options={
                'verbose_name': 'SALESmanago delivery',
                'verbose_name_plural': 'SALESmanago deliveries',
                'ordering': ['-created_at', '-pk'],
            },
        ),
        migrations.CreateModel(
            name='DeliveryAttempt',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('started_at', models.DateTimeField(verbose_name='started')),
                ('finished_at', models.DateTimeField(verbose_name='finished')),
                ('mode', models.CharField(blank=True, max_length=16, verbose_name='mode')),
                ('outcome', models.CharField(choices=[('sent', 'sent'), ('transient', 'temporary failure'), ('permanent', 'permanent failure')], max_length=16, verbose_name='outcome')),
                ('message', models.TextField(blank=True, verbose_name='message')),
                ('resend', models.BooleanField(default=False, verbose_name='asked for by staff')),
                ('record', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='attempt_log', to='wagtail_salesmanago.exportrecord')),
            ],
            options={
                'verbose_name': 'delivery attempt',
                'verbose_name_plural': 'delivery attempts',
                'ordering': ['started_at', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='SalesmanagoSettings',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('endpoint', models.CharField(blank=True, help_text="Your account's API server, e.g. app3.salesmanago.pl (SALESmanago: Settings > Integration > API). A full URL such as http://127.0.0.1:8765 is accepted too.", max_length=255, verbose_name='endpoint')),
                ('client_id', models.CharField(blank=True, max_length=255, verbose_name='client ID')),
                ('api_secret', models.CharField(blank=True, max_length=255, verbose_name='API secret')),
                ('owner_email', models.EmailField(blank=True, help_text='The SALESmanago user who owns the contacts these forms create.', max_length=254, verbose_name='owner e-mail')),
                ('detail_prefix', models.CharField(default='ankieta.', help_text='Put before each question to name its custom detail in SALESmanago.', max_length=50, verbose_name='detail prefix')),
                ('site', models.OneToOneField(editable=False, on_delete=django.db.models.deletion.CASCADE, to='wagtailcore.site')),
            ],
            options={
                'verbose_name': 'SALESmanago',
            },
        ),
    ]
