import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('wagtail_salesmanago', '0001_initial'),
        ('wagtailcore', '0002_initial_data'),
    ]

    operations = [
        migrations.AddField(
            model_name='exportrecord',
            name='retry_window_from',
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AlterField(
            model_name='deliveryattempt',
            name='outcome',
            field=models.CharField(choices=[('sent', 'sent'), ('transient', 'temporary failure'), ('permanent', 'permanent failure'), ('held', 'credentials rejected: on hold')], max_length=16, verbose_name='outcome'),
        ),
        migrations.AlterField(
            model_name='exportrecord',
            name='email',
            field=models.CharField(blank=True, max_length=320, verbose_name='contact e-mail'),
        ),
        migrations.AlterField(
            model_name='exportrecord',
            name='status',
            field=models.CharField(choices=[('pending', 'pending'), ('retrying', 'retrying'), ('sent', 'sent'), ('failed', 'failed'), ('skipped', 'skipped'), ('held', 'on hold')], db_index=True, default='pending', max_length=16, verbose_name='status'),
        ),
        migrations.CreateModel(
            name='DeliveryHold',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('reason', models.CharField(choices=[('rejected', 'SALESmanago rejected the client ID, the API secret or the owner.'), ('owner', 'The owner e-mail is not a user of this SALESmanago account.'), ('denied', "Access to SALESmanago was denied (HTTP 401 or 403) without SALESmanago's usual answer: a proxy or a firewall in between may be blocking this server.")], max_length=16, verbose_name='reason')),
                ('message', models.TextField(blank=True, verbose_name='what SALESmanago answered')),
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
        migrations.AddField(
            model_name='exportrecord',
            name='hold',
            field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='records', to='wagtail_salesmanago.deliveryhold', verbose_name='hold'),
        ),
    ]
