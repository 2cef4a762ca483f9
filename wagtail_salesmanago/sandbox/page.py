"""The sandbox's HTML page: contacts as SALESmanago's contact card shows them (fields, consents,
opt-in, custom details, events)."""

import datetime
from html import escape

from .card import ADDRESS_FIELDS, CONTACT_FIELDS, TOP_LEVEL_FIELDS

STANDARD_FIELDS = (*CONTACT_FIELDS, *TOP_LEVEL_FIELDS)

STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem;color:#222;background:#f6f7f9}
h1{font-size:1.4rem} .action{display:inline-block;margin:0 .5rem .5rem 0} .card{background:#fff;border:1px solid #dde;border-radius:6px;padding:1rem;margin:1rem 0}
.tag{display:inline-block;background:#e4572e;color:#fff;border-radius:3px;padding:0 .4rem;margin-right:.3rem;font-size:.8rem}
table{border-collapse:collapse;width:100%} td,th{border-top:1px solid #eee;padding:.3rem;text-align:left;vertical-align:top}
th{width:40%;font-weight:600} .muted{color:#777;font-size:.85rem}
"""


def _time(timestamp):
    return datetime.datetime.fromtimestamp(timestamp).strftime("%Y-%m-%d %H:%M:%S")


def _ms(milliseconds):
    try:
        return _time(int(milliseconds) / 1000)
    except (TypeError, ValueError, OverflowError, OSError):
        return str(milliseconds)


def _rows(pairs, empty):
    rows = "".join(f"<tr><th>{escape(str(k))}</th><td>{escape(str(v))}</td></tr>" for k, v in pairs)
    return f"<table>{rows or f'<tr><td class=muted>{empty}</td></tr>'}</table>"


def _standard_fields(contact):
    address = contact["address"]
    fields = [(name, contact[name]) for name in STANDARD_FIELDS]
    fields += [(f"address.{name}", address[name]) for name in ADDRESS_FIELDS]
    return [(name, value) for name, value in fields if value is not None]


def _consents(contact):
    rows = []
    for name, consent in sorted(contact["consents"].items()):
        answer = "accepted" if consent["consentAccept"] else "not accepted"
        if consent["optOut"]:
            answer += " (opted out)"
        rows.append((name, f"{answer} on {_ms(consent['agreementDate'])} from IP {consent['ip'] or '?'}"))
    return rows


def _events(contact):
    rows = []
    for event in reversed(contact["events"]):
        details = " ".join(f"{k}={v}" for k, v in event.items() if k.startswith("detail"))
        rows.append((event["contactExtEventType"],
                     f"{_ms(event['date'])} {event.get('description', '')} {details}"))
    return rows


def _actions(contact):
    """What the contact may do in SALESmanago's e-mails: confirm a double opt-in, unsubscribe."""
    forms = []
    if contact["email_opt_in"] == "pending confirmation":
        forms.append(("/sandbox/confirm", "Confirm (click the confirmation e-mail's link)"))
    if contact["email_opt_in"] != "opted out":
        forms.append(("/sandbox/unsubscribe", "Unsubscribe"))
    return "".join(
        f'<form method="post" action="{action}" class="action"><input type="hidden" '
        f'name="contactId" value="{escape(contact["contactId"])}"><button>{label}</button></form>'
        for action, label in forms)


def _contact(contact):
    tags = "".join(f'<span class="tag">{escape(tag)}</span>' for tag in contact["tags"])
    double = contact["double_opt_in_emails_sent"]
    confirmation = (f"&middot; confirmation e-mails sent: {double} (last: e-mail ID "
                    f"{escape(str(contact['double_opt_in_email_id']))}, language "
                    f"{escape(str(contact['double_opt_in_language']))})") if double else ""
    return f"""<section class="card">
<h2>{escape(contact["email"])}</h2>
<p class="muted">Contact ID {escape(contact["contactId"])} &middot; created {_time(contact["created"])}
&middot; modified {_time(contact["modified"])}</p>
<p>E-mail: {escape(contact["email_opt_in"])} &middot; phone: {escape(contact["phone_opt_in"])}
{confirmation}</p>
{_actions(contact)}
<p>{tags}</p>
<h3>Contact details</h3>
{_rows(_standard_fields(contact), "No standard fields.")}
<h3>Consents</h3>
{_rows(_consents(contact), "No consents.")}
<h3>Custom details</h3>
{_rows(sorted(contact["properties"].items()), "No custom details.")}
<h3>Events</h3>
{_rows(_events(contact), "No events.")}
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
