"""The README's page example, pasted into a fresh `wagtail start` project, exports a submission;
the documentation's test recipe (docs/testing.md) passes there and reaches no real account."""

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[2] / "README.md"
TESTING_PAGE = Path(__file__).resolve().parents[2] / "docs" / "testing.md"
BIN = Path(sys.executable).parent

TEMPLATE = """{% load wagtailcore_tags %}
<form action="{% pageurl page %}" method="POST">
    {% csrf_token %}
    {{ form.as_div }}
    <input type="submit">
</form>
"""

SUBMIT = textwrap.dedent("""
    import json, os, re
    from django.test import Client
    from wagtail.models import Site
    from survey.models import FormField, SurveyPage
    from wagtail_salesmanago.models import SalesmanagoSettings

    site = Site.objects.get(is_default_site=True)
    SalesmanagoSettings.objects.create(site=site, **json.loads(os.environ["SANDBOX_CREDENTIALS"]))
    page = SurveyPage(title="Ankieta", salesmanago_enabled=True, salesmanago_tag="z readme")
    site.root_page.add_child(instance=page)
    FormField.objects.create(page=page, label="E-mail", field_type="email")
    FormField.objects.create(page=page, label="Co sądzisz?", field_type="singleline")
    client = Client()
    html = client.get(page.url, HTTP_HOST="localhost").content.decode()
    names = re.findall(r'name="([a-z_]+)"', html)
    data = dict(zip([n for n in names if n not in ("csrfmiddlewaretoken", "smclientid")],
                    ["readme@example.com", "Działa"]))
    response = client.post(page.url, data, HTTP_HOST="localhost")
    print("STATUS", response.status_code)
""")


def readme_page_example():
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    return next(block for block in blocks if "class SurveyPage" in block)


def run(args, cwd, env=None):
    env = {k: v for k, v in (env or os.environ).items() if k != "DJANGO_SETTINGS_MODULE"}
    result = subprocess.run(args, cwd=cwd, capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def fresh_project(tmp_path, settings):
    """A `wagtail start` project with the README's survey app (its page example and two
    templates), ``settings`` added to its base settings, and the app's migration made."""
    run([str(BIN / "wagtail"), "start", "mysite"], tmp_path)
    project = tmp_path / "mysite"
    run([sys.executable, "manage.py", "startapp", "survey"], project)
    (project / "survey" / "models.py").write_text(readme_page_example())
    templates = project / "survey" / "templates" / "survey"
    templates.mkdir(parents=True)
    (templates / "survey_page.html").write_text(TEMPLATE)
    (templates / "survey_page_landing.html").write_text("Thanks")
    with open(project / "mysite" / "settings" / "base.py", "a") as base:
        base.write(settings)
    run([sys.executable, "manage.py", "makemigrations", "survey"], project)
    return project


@pytest.mark.slow
@pytest.mark.own_database
def test_readme_example_in_a_fresh_wagtail_project(tmp_path, sandbox):
    sandbox.reset()
    project = fresh_project(tmp_path, '\nINSTALLED_APPS += ["survey", "wagtail_salesmanago", '
                                      '"wagtail.contrib.settings"]\n')
    python = [sys.executable, "manage.py"]
    run([*python, "migrate", "--noinput"], project)
    env = {**os.environ, "SANDBOX_CREDENTIALS": json.dumps(sandbox.credentials())}
    out = run([*python, "shell", "-c", SUBMIT], project, env=env)

    assert "STATUS 200" in out
    [contact] = sandbox.contacts()
    assert contact["email"] == "readme@example.com"
    assert contact["tags"] == ["Z_README"]
    assert contact["properties"] == {"ankieta.E-mail": "readme@example.com",
                                     "ankieta.Co-sadzisz?": "Działa"}


def docs_test_recipe():
    blocks = re.findall(r"```python\n(.*?)```", TESTING_PAGE.read_text(encoding="utf-8"), re.S)
    return next(block for block in blocks if "def test_survey_reaches_salesmanago" in block)


@pytest.mark.slow
@pytest.mark.own_database
def test_docs_test_recipe_never_reaches_the_configured_account(tmp_path, sandbox):
    """The documentation's test (docs/testing.md), in a fresh project whose server configuration names a (real) account
    and whose tasks go to the database worker the documentation recommends: it passes, and the account
    gets nothing (``sandbox`` stands in for it)."""
    sandbox.reset()
    real_account = {"default": sandbox.credentials()}
    project = fresh_project(tmp_path, (
        '\nINSTALLED_APPS += ["survey", "wagtail_salesmanago", "wagtail.contrib.settings", '
        '"django_tasks_db"]\n'
        'TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}\n'
        f"WAGTAIL_SALESMANAGO = {real_account!r}\n"
        "WAGTAIL_SALESMANAGO_ALLOW_HTTP = True\n"))
    (project / "test_survey.py").write_text(docs_test_recipe())

    out = run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly",
               "--ds=mysite.settings.dev", "test_survey.py"], project)

    assert "1 passed" in out
    assert sandbox.requests() == [] and sandbox.contacts() == []
