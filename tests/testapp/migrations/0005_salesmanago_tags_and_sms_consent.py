# Answers as tags (salesmanago_tag_mode) and the SMS consent target (issue 26).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('testapp', '0004_salesmanago_labels'),
    ]

    operations = [
        migrations.AddField(
            model_name='formfield',
            name='salesmanago_tag_mode',
            field=models.CharField(blank=True, choices=[('', 'no'), ('value', 'the answer'), ('question_and_value', 'the question and the answer')], default='', help_text='Tags the contact with the answer (each choice its own tag), or with the question and the answer joined by “-”, in capitals as SALESmanago keeps tags. A ticked checkbox tags the contact with the question.', max_length=32, verbose_name='also as a SALESmanago tag'),
        ),
        migrations.AlterField(
            model_name='formfield',
            name='salesmanago_consent_name',
            field=models.CharField(blank=True, help_text='For a consent: its name exactly as in SALESmanago (Settings > Consents). Ticked, it records the consent with the time and IP address, and opts the contact in (for SMS with an SMS consent).', max_length=255, verbose_name='SALESmanago consent name'),
        ),
        migrations.AlterField(
            model_name='formfield',
            name='salesmanago_target',
            field=models.CharField(choices=[('detail', 'custom detail'), ('name', 'name (full)'), ('first_name', 'first name'), ('last_name', 'last name'), ('phone', 'phone'), ('company', 'company'), ('street', 'street address'), ('zip_code', 'postal code'), ('city', 'city'), ('country', 'country (2-letter code)'), ('birthday', 'date of birth'), ('consent', 'consent (a checkbox)'), ('sms_consent', 'SMS consent (a checkbox)'), ('skip', 'not sent')], default='detail', help_text="Where the answer goes on the contact card. Every answer except “not sent” is also kept as a custom detail; a first and a last name are joined into the contact's name. The first e-mail question also identifies the contact, whatever is chosen here.", max_length=16, verbose_name='in SALESmanago'),
        ),
    ]
