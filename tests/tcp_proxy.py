"""A TCP proxy in front of a server, on a free port: it passes the bytes both ways and counts the
connections clients open through it, so tests assert on the wire how many handshakes were made."""

import socket
import threading


class CountingProxy:
    """Forward connections to ``127.0.0.1:port``; ``connections`` counts those accepted."""

    def __init__(self, port):
        self.target = ("127.0.0.1", port)
        self.connections = 0
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._sockets = []

    def __enter__(self):
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def __exit__(self, *exc_info):
        self._listener.close()
        for sock in self._sockets:
            sock.close()

    def _accept(self):
        while True:
            try:
                downstream, _ = self._listener.accept()
            except OSError:
                return  # closed
            self.connections += 1
            upstream = socket.create_connection(self.target)
            for sock in (downstream, upstream):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # no Nagle delay
                self._sockets.append(sock)
            for source, sink in ((downstream, upstream), (upstream, downstream)):
                threading.Thread(target=pump, args=(source, sink), daemon=True).start()


def pump(source, sink):
    """Bytes from ``source`` to ``sink`` until ``source`` ends; then ``sink`` ends its writes."""
    try:
        while data := source.recv(65536):
            sink.sendall(data)
        sink.shutdown(socket.SHUT_WR)
    except OSError:
        pass  # one side closed or reset
