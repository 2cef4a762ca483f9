# Export rules (issue 26): a form page's "send only when ..." rules, edited inline.

import django.db.models.deletion
import modelcluster.fields
from django.db import migrations, models

from wagtail_salesmanago.compat import PAGE_MODEL


class Migration(migrations.Migration):

    dependencies = [
        ('wagtail_salesmanago', '0008_attribution'),
        ('wagtailcore', '0002_initial_data'),
    ]

    operations = [
        migrations.CreateModel(
            name='SalesmanagoRule',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('sort_order', models.IntegerField(blank=True, editable=False, null=True)),
                ('question', models.CharField(help_text="The question's label, as the form builder shows it.", max_length=255, verbose_name='question')),
                ('condition', models.CharField(choices=[('checked', 'is ticked'), ('equals', 'equals'), ('not_empty', 'is not empty')], default='checked', max_length=16, verbose_name='condition')),
                ('value', models.CharField(blank=True, help_text='For “equals”: the answer, or one of the choices ticked (upper and lower case alike). For “is ticked” on a multiple choice: the choice; empty: any.', max_length=255, verbose_name='value')),
                ('tags', models.CharField(blank=True, help_text='Added when the rule is met. A comma separates several tags.', max_length=255, verbose_name='tags')),
                ('page', modelcluster.fields.ParentalKey(on_delete=django.db.models.deletion.CASCADE, related_name='salesmanago_rules', to=PAGE_MODEL)),
            ],
            options={
                'verbose_name': 'SALESmanago rule',
                'verbose_name_plural': 'SALESmanago rules',
                'ordering': ['sort_order'],
                'abstract': False,
            },
        ),
    ]
