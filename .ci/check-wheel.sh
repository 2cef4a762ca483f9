#!/usr/bin/env bash
# Build the wheel and sdist, install the wheel into a fresh virtualenv (no source tree on the path),
# then run the example site from a copy: check, migrate, and one submission against the sandbox.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
python=${1:-$root/.venv/bin/python}
work=$(mktemp -d)
trap 'kill $sandbox_pid 2>/dev/null || true; rm -rf "$work"' EXIT

"$python" -m pip install --quiet build
"$python" -m build --outdir "$work/dist" "$root" >/dev/null
ls "$work/dist"
python3 -m venv "$work/venv"
"$work/venv/bin/python" -m pip install --quiet "$work"/dist/*.whl
unzip -l "$work"/dist/*.whl | grep -E "migrations/0001|locale/pl/LC_MESSAGES/django.mo|templates/.*preview.html" \
    | awk '{print "  in the wheel:", $4}'

cp -r "$root/example_project" "$work/site"
cd "$work/site"
rm -f db.sqlite3
export PYTHONPATH="" DEMO_DATABASE="$work/site.sqlite3"
"$work/venv/bin/python" -c "import wagtail_salesmanago, sys; assert '$root' not in wagtail_salesmanago.__file__, wagtail_salesmanago.__file__; print('  imported from', wagtail_salesmanago.__file__)"
"$work/venv/bin/python" manage.py migrate --noinput -v0
"$work/venv/bin/python" manage.py check --database default
port=$("$work/venv/bin/python" -c "import socket; s=socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
"$work/venv/bin/python" -m wagtail_salesmanago.sandbox --port "$port" --state-file "$work/contacts.json" >/dev/null &
sandbox_pid=$!
for _ in $(seq 1 50); do curl -s "http://127.0.0.1:$port/sandbox/contacts.json" >/dev/null && break; sleep 0.1; done
"$work/venv/bin/python" manage.py seed_demo --sandbox-url "http://127.0.0.1:$port" >/dev/null
"$work/venv/bin/python" manage.py shell -c "
from django.test import Client
from survey.models import SurveyPage
page = SurveyPage.objects.get()
names = {f.label: f.clean_name for f in page.get_form_fields()}
response = Client().post(page.url, {names['Twój adres e-mail']: 'wheel@example.com',
                                    names['Jak oceniasz naszą obsługę?']: 'Dobrze'}, HTTP_HOST='localhost')
assert response.status_code == 200, response.status_code
"
curl -s "http://127.0.0.1:$port/sandbox/contacts.json" | "$work/venv/bin/python" -c "
import json, sys
contact = {c['email']: c for c in json.load(sys.stdin)}['wheel@example.com']
assert contact['tags'] == ['BADANIE_SATYSFAKCJI'], contact
assert contact['properties']['ankieta.Jak-oceniasz-nasza-obsluge?'] == 'Dobrze', contact
print('  the installed wheel exported a submission:', contact['properties'])
"
