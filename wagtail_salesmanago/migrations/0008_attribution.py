# Campaign attribution (Settings > SALESmanago > Campaign attribution): utm_*, referrer, landing page.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('wagtail_salesmanago', '0007_monitoring_code'),
    ]

    operations = [
        migrations.AddField(
            model_name='salesmanagosettings',
            name='attribution_prefix',
            field=models.CharField(blank=True, default='ankieta.', help_text='Put before utm_source, utm_medium, …, referrer and landing_page to name their custom details.', max_length=50, verbose_name='attribution detail prefix'),
        ),
        migrations.AddField(
            model_name='salesmanagosettings',
            name='send_attribution',
            field=models.BooleanField(default=True, help_text="With each answer: the campaign parameters of the address the visitor first landed on (utm_source, utm_medium, utm_campaign, utm_term, utm_content), the other site that sent them and the landing page, as custom details and in the form's event. A browser-session cookie keeps them while the visitor moves between pages.", verbose_name='Send where visitors came from'),
        ),
    ]
