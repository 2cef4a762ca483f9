"""`make demo`: migrate, seed, then run the SALESmanago sandbox and the example site together, and
`salesmanago_retry` on a timer, as cron does on a real site with the immediate backend.

Ports come from SANDBOX_PORT (default 8765) and DEMO_PORT (default 8000); DEMO_RETRY_SECONDS (default
60) is how often the retry command runs. Ctrl-C stops them all.
"""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
STATE = Path(os.environ.get("DEMO_STATE_DIR", HERE.parent / ".demo"))


def port_in_use(port):
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def wait_for_port(port, process, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"demo: a process exited early (code {process.returncode})")
        if port_in_use(port):
            return
        time.sleep(0.1)
    sys.exit(f"demo: nothing answered on port {port}")


class RetryTimer(threading.Thread):
    """Runs `salesmanago_retry` every few seconds, so deliveries left "retrying" are retried."""

    IDLE = "0 due; nothing to send."

    def __init__(self, command, every):
        super().__init__(daemon=True)
        self.command, self.every = command, every
        self.stopped = threading.Event()
        self.process = None

    def run(self):
        while not self.stopped.wait(self.every):
            # Its own session: Ctrl-C stops the demo, which then stops this run (stop()).
            self.process = subprocess.Popen(
                self.command, cwd=HERE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                start_new_session=True,
            )
            output = self.process.communicate()[0].strip()
            # Quiet when there was nothing to do, as cron's mail would be.
            if output != self.IDLE and not self.stopped.is_set():
                for line in output.splitlines():
                    print(f"salesmanago_retry: {line}", flush=True)

    def stop(self):
        self.stopped.set()
        if self.process and self.process.poll() is None:
            self.process.terminate()
        self.join(timeout=10)


def main():
    # Stop it all on SIGTERM too, not only on Ctrl-C (the finally block below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    sandbox_port = int(os.environ.get("SANDBOX_PORT", "8765"))
    demo_port = int(os.environ.get("DEMO_PORT", "8000"))
    retry_every = float(os.environ.get("DEMO_RETRY_SECONDS", "60"))
    for name, port in (("SANDBOX_PORT", sandbox_port), ("DEMO_PORT", demo_port)):
        if port_in_use(port):
            sys.exit(f"demo: port {port} is in use; set {name} to another port, e.g. "
                     f"make demo {name}={port + 1}")
    STATE.mkdir(parents=True, exist_ok=True)
    manage = [sys.executable, str(HERE / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], check=True, cwd=HERE)

    processes = []
    retry = RetryTimer([*manage, "salesmanago_retry"], retry_every)
    try:
        sandbox = subprocess.Popen(
            [sys.executable, "-m", "wagtail_salesmanago.sandbox", "--port", str(sandbox_port),
             "--state-file", str(STATE / "sandbox-contacts.json"),
             # The account's consents: the lead form's e-mail and SMS consents.
             "--consent", "NEWSLETTER", "--consent", "SMS",
             # The site's opt-in and opt-out callbacks, as its owner gives them to SALESmanago.
             "--opt-in-url", f"http://127.0.0.1:{demo_port}/salesmanago/opt-in/",
             "--opt-out-url", f"http://127.0.0.1:{demo_port}/salesmanago/opt-out/"],
            cwd=HERE,
        )
        processes.append(sandbox)
        wait_for_port(sandbox_port, sandbox)
        subprocess.run(
            [*manage, "seed_demo", f"--sandbox-url=http://127.0.0.1:{sandbox_port}",
             f"--site-url=http://127.0.0.1:{demo_port}"],
            check=True, cwd=HERE,
        )
        site = subprocess.Popen(
            [*manage, "runserver", "--noreload", f"127.0.0.1:{demo_port}"], cwd=HERE
        )
        processes.append(site)
        wait_for_port(demo_port, site)
        retry.start()
        print(f"  Retries:        salesmanago_retry runs every {retry_every:g} s, as cron would\n"
              "\n  The demo is running. Answer the survey or the lead form, then watch the sandbox. "
              "Ctrl-C stops it all.\n", flush=True)
        while all(p.poll() is None for p in processes):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        if retry.is_alive():
            retry.stop()
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


if __name__ == "__main__":
    main()
