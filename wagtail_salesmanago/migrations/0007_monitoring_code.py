# SALESmanago's monitoring code on a site's pages (Settings > SALESmanago > Monitoring code).

import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('wagtail_salesmanago', '0006_quarantine'),
    ]

    operations = [
        migrations.AddField(
            model_name='salesmanagosettings',
            name='monitoring_code',
            field=models.BooleanField(default=False, help_text="SALESmanago's tracking script (sm.js), for pages whose template has {% salesmanago_monitoring_code %}. It sets the cookie “smclient” that recognises returning contacts.", verbose_name="Add SALESmanago's monitoring code to the site's pages"),
        ),
        migrations.AddField(
            model_name='salesmanagosettings',
            name='monitoring_cookie_days',
            field=models.PositiveIntegerField(blank=True, help_text="From 1 to 3650. Empty: SALESmanago's own default.", null=True, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(3650)], verbose_name='Keep the contact cookie for (days)'),
        ),
        migrations.AddField(
            model_name='salesmanagosettings',
            name='monitoring_popups',
            field=models.BooleanField(default=False, verbose_name="Show SALESmanago's pop-ups"),
        ),
        migrations.AddField(
            model_name='salesmanagosettings',
            name='monitoring_waits_for_consent',
            field=models.BooleanField(default=True, help_text='Tracking cookies need consent in the EU: the code waits until your cookie banner says the visitor agreed (see the documentation). Untick only if the site asks for consent some other way.', verbose_name="Start it only after the visitor's consent"),
        ),
    ]
