"""The sandbox's HTML page: contacts and their custom details, like a SALESmanago contact card."""

import datetime
from html import escape

STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem;color:#222;background:#f6f7f9}
h1{font-size:1.4rem} .card{background:#fff;border:1px solid #dde;border-radius:6px;padding:1rem;margin:1rem 0}
.tag{display:inline-block;background:#e4572e;color:#fff;border-radius:3px;padding:0 .4rem;margin-right:.3rem;font-size:.8rem}
table{border-collapse:collapse;width:100%} td,th{border-top:1px solid #eee;padding:.3rem;text-align:left;vertical-align:top}
th{width:40%;font-weight:600} .muted{color:#777;font-size:.85rem}
"""


def _time(timestamp):
    return datetime.datetime.fromtimestamp(timestamp).strftime("%Y-%m-%d %H:%M:%S")


def _contact(contact):
    tags = "".join(f'<span class="tag">{escape(tag)}</span>' for tag in contact["tags"])
    rows = "".join(
        f"<tr><th>{escape(key)}</th><td>{escape(value)}</td></tr>"
        for key, value in sorted(contact["properties"].items())
    ) or '<tr><td class="muted">No custom details.</td></tr>'
    return f"""<section class="card">
<h2>{escape(contact["email"])}</h2>
<p class="muted">Contact ID {escape(contact["contactId"])} &middot; created {_time(contact["created"])}
&middot; modified {_time(contact["modified"])}</p>
<p>{tags}</p>
<h3>Custom details</h3>
<table>{rows}</table>
</section>"""


def render_contacts_page(contacts):
    cards = "".join(_contact(c) for c in reversed(contacts)) or "<p>No contacts yet.</p>"
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="5">
<title>SALESmanago sandbox</title><style>{STYLE}</style></head>
<body><h1>SALESmanago sandbox: {len(contacts)} contact(s)</h1>
<p class="muted">JSON: <a href="/sandbox/contacts.json">contacts</a>,
<a href="/sandbox/requests.json">requests</a>, <a href="/sandbox/control">faults</a></p>
{cards}</body></html>"""
