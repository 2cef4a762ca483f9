#!/usr/bin/env bash
# The README's install lines as a new user runs them (after `make dist`, which built dist/): each
# `pip install` line of its Install section, run as written from the checkout into a virtualenv.
# After each, the installed package must have every file of the source package (migrations,
# locale, templates, static) and nothing else; after the last (the wheel), the example site runs on
# it from a copy: check, migrate, and one submission against the sandbox.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$root"
python=$work/venv/bin/python

# The Install section's ```sh lines that start with `pip install`.
mapfile -t lines < <(awk '/^## /{section=$0} section=="## Install" && /^```/{fence=!fence; next}
                          section=="## Install" && fence && /^pip install /' README.md)
[ "${#lines[@]}" -ge 2 ] || { echo "check-wheel: expected the README's install lines, found: ${lines[*]}" >&2; exit 1; }

# The source package's files (as git has them, untracked new ones too), relative to the package.
git ls-files --cached --others --exclude-standard wagtail_salesmanago | grep -v -e __pycache__ -e '\.pyc$' \
    | sed 's|^wagtail_salesmanago/||' | sort > "$work/source-files"

check_files() {
    (cd "$work" && "$python" - "$root" "$work/source-files") <<'PYTHON'
import pathlib, sys
import wagtail_salesmanago
package = pathlib.Path(wagtail_salesmanago.__file__).parent
assert not str(package).startswith(sys.argv[1]), f"imported from the checkout: {package}"
installed = {str(p.relative_to(package)) for p in package.rglob("*")
             if p.is_file() and "__pycache__" not in p.parts}
expected = set(pathlib.Path(sys.argv[2]).read_text().split())
assert installed == expected, f"missing: {sorted(expected - installed)}, extra: {sorted(installed - expected)}"
print(f"  {len(installed)} files installed in {package}, as in the source")
PYTHON
}

check_site() {
    cp -r "$root/example_project" "$work/site"
    rm -f "$work/site/db.sqlite3"
    cd "$work/site"
    export PYTHONPATH="" DEMO_DATABASE="$work/site.sqlite3"
    "$python" manage.py migrate --noinput -v0
    "$python" manage.py check --database default
    port=$("$python" -c "import socket; s=socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
    "$python" -m wagtail_salesmanago.sandbox --port "$port" --state-file "$work/contacts.json" >/dev/null &
    sandbox_pid=$!
    trap 'kill $sandbox_pid 2>/dev/null || true; rm -rf "$work"' EXIT
    for _ in $(seq 1 50); do curl -s "http://127.0.0.1:$port/sandbox/contacts.json" >/dev/null && break; sleep 0.1; done
    "$python" manage.py seed_demo --sandbox-url "http://127.0.0.1:$port" >/dev/null
    "$python" manage.py shell -c "
from django.test import Client
from survey.models import SurveyPage
page = SurveyPage.objects.get(slug='badanie-satysfakcji')
names = {f.label: f.clean_name for f in page.get_form_fields()}
response = Client().post(page.url, {names['Twój adres e-mail']: 'wheel@example.com',
                                    names['Jak oceniasz naszą obsługę?']: 'Dobrze'}, HTTP_HOST='localhost')
assert response.status_code == 200, response.status_code
"
    curl -s "http://127.0.0.1:$port/sandbox/contacts.json" | "$python" -c "
import json, sys
contact = {c['email']: c for c in json.load(sys.stdin)}['wheel@example.com']
assert contact['tags'] == ['BADANIE_SATYSFAKCJI'], contact
assert contact['properties']['ankieta.Jak-oceniasz-nasza-obsluge?'] == 'Dobrze', contact
print('  the example site exported a submission:', contact['properties'])
"
}

# The first line in a fresh virtualenv; the others after uninstalling the package there (its
# dependencies stay: a fresh install for each would download them all again, for the same metadata).
python3 -m venv "$work/venv"
for line in "${lines[@]}"; do
    started=$SECONDS
    "$python" -m pip uninstall --quiet --yes wagtail-salesmanago 2>/dev/null || true
    PATH="$work/venv/bin:$PATH" bash -euc "$line" >"$work/install.log" 2>&1 || { cat "$work/install.log"; exit 1; }
    echo "README: $line ($((SECONDS - started)) s)"
    check_files
    # Installing from the checkout leaves nothing in it (no build/, no .egg-info).
    left=$(git status --porcelain --ignored -- build '*.egg-info' | grep -v __pycache__ || true)
    [ -z "$left" ] || { echo "check-wheel: '$line' left in the checkout: $left" >&2; exit 1; }
done
started=$SECONDS
check_site
echo "  the example site ran on it in $((SECONDS - started)) s"
