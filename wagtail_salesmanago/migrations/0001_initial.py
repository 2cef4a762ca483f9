# The package's schema in one migration (squashed before its first release).

import django.db.models.deletion
import wagtail_salesmanago.stored_messages
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
            name='DeliveryHold',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('reason', models.CharField(choices=[('rejected', 'SALESmanago rejected the client ID, the API secret or the owner.'), ('owner', 'The owner e-mail is not a user of this SALESmanago account.'), ('denied', "Access to SALESmanago was denied (HTTP 401 or 403) without SALESmanago's usual answer: a proxy or a firewall in between may be blocking this server.")], max_length=16, verbose_name='reason')),
                ('message', wagtail_salesmanago.stored_messages.MessageField(blank=True, verbose_name='what SALESmanago answered')),
                ('since', models.DateTimeField(verbose_name='on hold since')),
                ('next_check_at', models.DateTimeField(verbose_name='next check')),
                ('last_check_at', models.DateTimeField(blank=True, null=True, verbose_name='last check')),
                ('checks', models.PositiveIntegerField(default=0, verbose_name='checks')),
                ('fingerprint', models.CharField(editable=False, max_length=64)),
                ('site', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='wagtailcore.site', verbose_name='site')),
            ],
            options={
                'verbose_name': 'SALESmanago delivery hold',
                'verbose_name_plural': 'SALESmanago delivery holds',
            },
        ),
        migrations.CreateModel(
            name='ExportRecord',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('submission_id', models.CharField(db_index=True, max_length=64)),
                ('status', models.CharField(choices=[('pending', 'pending'), ('retrying', 'retrying'), ('sent', 'sent'), ('failed', 'failed'), ('skipped', 'skipped'), ('held', 'on hold')], db_index=True, default='pending', max_length=16, verbose_name='status')),
                ('mode', models.CharField(blank=True, choices=[('', 'none'), ('upsert', 'upsert by e-mail'), ('update', 'update by contact ID')], max_length=16, verbose_name='mode')),
                ('email', models.CharField(blank=True, max_length=320, verbose_name='contact e-mail')),
                ('contact_id', models.CharField(blank=True, max_length=36, verbose_name='contact ID from the link or cookie')),
                ('salesmanago_contact_id', models.CharField(blank=True, max_length=64, verbose_name='SALESmanago contact ID')),
                ('payload', models.JSONField(default=dict, help_text='What is (or was) sent, without the authentication fields.', verbose_name='payload')),
                ('notes', wagtail_salesmanago.stored_messages.MessageField(blank=True, verbose_name='notes')),
                ('last_error', wagtail_salesmanago.stored_messages.MessageField(blank=True, verbose_name='last error')),
                ('attempts', models.PositiveIntegerField(default=0, verbose_name='attempts')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                ('sent_at', models.DateTimeField(blank=True, null=True, verbose_name='sent')),
                ('next_attempt_at', models.DateTimeField(blank=True, db_index=True, null=True, verbose_name='next attempt')),
                ('claimed_until', models.DateTimeField(blank=True, editable=False, null=True)),
                ('retry_window_from', models.DateTimeField(blank=True, editable=False, null=True)),
                ('event_status', models.CharField(blank=True, choices=[('', 'none'), ('pending', 'pending'), ('retrying', 'retrying'), ('sent', 'sent'), ('failed', 'failed'), ('held', 'on hold')], default='', max_length=16, verbose_name='event status')),
                ('event_payload', models.JSONField(blank=True, default=dict, help_text="The event added to the contact's timeline, without the authentication fields.", verbose_name='event')),
                ('event_id', models.CharField(blank=True, max_length=64, verbose_name='SALESmanago event ID')),
                ('event_attempts', models.PositiveIntegerField(default=0, verbose_name='event attempts')),
                ('event_error', wagtail_salesmanago.stored_messages.MessageField(blank=True, verbose_name='event error')),
                ('event_sent_at', models.DateTimeField(blank=True, null=True, verbose_name='event sent')),
                ('send_alone', models.BooleanField(default=False, editable=False)),
                ('double_opt_in_requested_at', models.DateTimeField(blank=True, editable=False, null=True)),
                ('hold', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='records', to='wagtail_salesmanago.deliveryhold', verbose_name='hold')),
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
                ('outcome', models.CharField(choices=[('sent', 'sent'), ('transient', 'temporary failure'), ('permanent', 'permanent failure'), ('held', 'credentials rejected: on hold')], max_length=16, verbose_name='outcome')),
                ('message', wagtail_salesmanago.stored_messages.MessageField(blank=True, verbose_name='message')),
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
            name='ExportRun',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('status', models.CharField(choices=[('queued', 'queued'), ('running', 'running'), ('done', 'done'), ('failed', 'stopped by an error')], default='queued', max_length=16, verbose_name='status')),
                ('since', models.DateField(blank=True, null=True, verbose_name='answers since')),
                ('until', models.DateField(blank=True, null=True, verbose_name='answers until')),
                ('total', models.PositiveIntegerField(default=0, verbose_name='answers to export')),
                ('sent', models.PositiveIntegerField(default=0, verbose_name='sent')),
                ('retrying', models.PositiveIntegerField(default=0, verbose_name='to retry')),
                ('failed', models.PositiveIntegerField(default=0, verbose_name='failed')),
                ('skipped', models.PositiveIntegerField(default=0, verbose_name='without a contact')),
                ('error', wagtail_salesmanago.stored_messages.MessageField(blank=True, verbose_name='error')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                ('page', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=PAGE_MODEL, verbose_name='form page')),
            ],
            options={
                'verbose_name': 'SALESmanago export of past answers',
                'verbose_name_plural': 'SALESmanago exports of past answers',
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
                ('identify_by_cookie', models.BooleanField(default=True, help_text="SALESmanago's monitoring code keeps a known contact's ID in the cookie “smclient”. When a form has no e-mail answer and the visitor came without a SALESmanago link, the answers update the contact that cookie names.", verbose_name="Recognise returning contacts by SALESmanago's cookie")),
                ('trust_typed_email', models.BooleanField(default=False, help_text="A visitor may arrive with a SALESmanago link (?smclientid=) and type an e-mail too. By default the link's contact is updated; tick this to file the answers under the typed e-mail instead (someone may have forwarded the link).", verbose_name='When both exist, trust the typed e-mail')),
                ('site', models.OneToOneField(editable=False, on_delete=django.db.models.deletion.CASCADE, to='wagtailcore.site')),
            ],
            options={
                'verbose_name': 'SALESmanago',
            },
        ),
        migrations.AddConstraint(
            model_name='exportrecord',
            constraint=models.UniqueConstraint(condition=models.Q(('status', 'failed'), _negated=True), fields=('submission_type', 'submission_id'), name='wagtail_salesmanago_one_record_per_answer'),
        ),
    ]
