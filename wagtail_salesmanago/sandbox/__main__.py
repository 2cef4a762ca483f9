"""``python -m wagtail_salesmanago.sandbox``: run the sandbox in the foreground."""

import argparse
import signal
import sys

from .server import DEFAULT_API_SECRET, DEFAULT_CLIENT_ID, DEFAULT_CONSENTS, DEFAULT_OWNER, Sandbox


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="python -m wagtail_salesmanago.sandbox",
        description="A local fake SALESmanago API v2 server.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--client-id", default=DEFAULT_CLIENT_ID)
    parser.add_argument("--api-secret", default=DEFAULT_API_SECRET)
    parser.add_argument("--owner", action="append", help="a user of the account (repeatable)")
    parser.add_argument("--contact", action="append", default=[], metavar="EMAIL",
                        help="create this contact at start and print its contact ID (repeatable)")
    parser.add_argument("--consent", action="append", metavar="NAME",
                        help="a consent that exists in the account (repeatable; default NEWSLETTER)")
    parser.add_argument("--state-file", help="keep contacts in this JSON file across restarts")
    parser.add_argument("--opt-in-url", default="",
                        help="the site's opt-in callback URL, called when a contact confirms")
    parser.add_argument("--opt-out-url", default="",
                        help="the site's opt-out callback URL, called when a contact unsubscribes")
    parser.add_argument("--seed", type=int, help="seed for --failure-rate")
    parser.add_argument("--verbose", action="store_true", help="log every HTTP request")
    faults = parser.add_argument_group("misbehaviour")
    faults.add_argument("--latency", type=float, default=0.0, help="seconds added to every answer")
    faults.add_argument("--hang", type=float, default=0.0, help="wait this long, then drop the connection")
    faults.add_argument("--status", type=int, default=0, help="answer every call with this HTTP status")
    faults.add_argument("--failure-rate", type=float, default=0.0, help="fraction of calls answered 500")
    faults.add_argument("--auth-fail", action="store_true", help="answer 'Not authenticated'")
    faults.add_argument("--non-json", action="store_true", help="answer with an HTML page")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    sandbox = Sandbox(
        host=args.host, port=args.port, client_id=args.client_id, api_secret=args.api_secret,
        owners=args.owner or [DEFAULT_OWNER], consents=args.consent or DEFAULT_CONSENTS,
        state_file=args.state_file, seed=args.seed,
        verbose=args.verbose, opt_in_url=args.opt_in_url, opt_out_url=args.opt_out_url,
    )
    try:
        sandbox.misbehave(
            latency=args.latency, hang=args.hang, status=args.status,
            failure_rate=args.failure_rate, auth_fail=args.auth_fail, non_json=args.non_json,
        )
        contact_ids = [(email, sandbox.add_contact(email)) for email in args.contact]
    except ValueError as err:
        sandbox.server.server_close()
        sys.exit(f"sandbox: {err}")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(f"SALESmanago sandbox on {sandbox.url}/sandbox/ (client ID {sandbox.client_id!r}, "
          f"owner {sandbox.owner!r}, consents {', '.join(sandbox.state.consent_names)})", flush=True)
    for email, contact_id in contact_ids:
        print(f"Contact {email}: {contact_id} (open a form page with ?smclientid={contact_id})",
              flush=True)
    try:
        sandbox.server.serve_forever()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        sandbox.server.server_close()


if __name__ == "__main__":
    main()
